"""Load benchmark: N clients for M minutes against a local demo server; latency, failures and server memory.

The server is ``signspark demo --port P --no-warm-up`` started as a subprocess (the installed
package); each client is a separate process with its own ``gradio_client.Client`` calling
``/text_to_sign`` in a loop (outputs downloaded, as a browser would, then deleted). The server's
resident memory is sampled from ``/proc`` while the clients run.

``--bad-clients K`` makes K of the clients send bad requests instead (NaN and huge numbers, wrong
types, unknown languages, huge text, models off the menu, a broken upload), one every
``--bad-pause`` seconds: each must be refused with a readable message (not an empty error, no
traceback, no server path) while the good clients go on.

Printed: requests, failures, latency percentiles, the server's RSS, threads and open files over
time, the load average, and the RSS growth after the warm-up requests (target: flat within 10 %
over 200 requests).

    python -m bench.load --clients 2 --minutes 3
    nice -n 5 python -m bench.load --clients 4 --bad-clients 1 --minutes 12
    python -m bench.load --clients 4 --minutes 10 --backend skeleton --steps 4
    MALLOC_ARENA_MAX=2 python -m bench.load ...        # the environment is passed to the server
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def _tree_rss_mb(pid: int) -> float | None:
    """RSS of the server process (the Python process; the ffmpeg encoders come and go)."""
    return _rss_mb(pid)


def _threads_and_fds(pid: int) -> tuple[int | None, int | None]:
    """The server's thread count and open file descriptors (a leak of either shows here first)."""
    threads = fds = None
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("Threads:"):
                    threads = int(line.split()[1])
        fds = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        pass
    return threads, fds


# What a bad client sends to /text_to_sign (changes to the good request), and the words the refusal must hold.
BAD_REQUESTS = [
    ({"steps": "NaN"}, "Sampling steps"),
    ({"guidance": "inf"}, "Guidance"),
    ({"seed": 10**40}, "Seed"),
    ({"speed": [1, 2]}, "Signing speed"),
    ({"language": "Klingon"}, "Sign language"),
    ({"text": "x" * 100_000}, "limit"),
    ({"text": {"a": 1}}, "Text"),
    ({"text": "   "}, "Type a word"),
    ({"model": "/etc"}, "Model must be one of"),
    ({"model": "org/any-repo"}, "Model must be one of"),
    ({"left_handed": "yes"}, "Left-handed"),
    ({"view": "../../etc"}, "View"),
]
EMPTY_ERROR = "has not enabled verbose error reporting"
_SERVER_PATH = re.compile(r"(?<![\w.:/~-])(?:/[^\s'\"`<>|;,()\[\]{}:/]+){2,}")


def _judge_refusal(message: str, expected: str) -> str | None:
    """None for a good refusal, else what is wrong with it."""
    if not message or EMPTY_ERROR in message:
        return "empty error"
    if "Traceback" in message or _SERVER_PATH.search(message):
        return f"traceback or server path: {message[:120]}"
    if expected not in message:
        return f"does not name the problem ({expected!r}): {message[:120]}"
    return None


def _wait_for_server(url: str, proc: subprocess.Popen, timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit(f"the demo server exited with status {proc.returncode} before it answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the demo server did not answer at {url} within {timeout:.0f} s")


def _client(idx: int, url: str, deadline: float, params: dict, results, bad: bool = False,
            pause: float = 0.0) -> None:
    """One client process: requests until the deadline; each result (client, kind, start, seconds, error) queued.

    A bad client (``bad``) sends :data:`BAD_REQUESTS` and a broken upload in turn; its "error" is
    None when the request was refused as it should be, else what went wrong.
    """
    work = Path(tempfile.mkdtemp(prefix=f"load-client{idx}-"))
    tempfile.tempdir = str(work)  # gradio_client leaves a folder per download in the temp folder
    os.environ["TMPDIR"] = str(work)
    from gradio_client import Client, handle_file

    broken = work / "broken.npz"
    try:
        client = Client(url, verbose=False, download_files=str(work / "downloads"))
        n = 0
        while time.time() < deadline:
            t0 = time.time()
            error = None
            if not bad:
                try:
                    client.predict(**params, api_name="/text_to_sign")
                except Exception as e:  # noqa: BLE001 - counted and reported, the load goes on
                    error = f"{type(e).__name__}: {str(e)[:200]}"
            else:
                i = n % (len(BAD_REQUESTS) + 1)
                try:
                    if i == len(BAD_REQUESTS):
                        broken.write_bytes(b"PK\x03\x04 not a zip")
                        client.predict(handle_file(str(broken)), "", "onset_middle_offset", api_name="/segment")
                    else:
                        client.predict(**{**params, **BAD_REQUESTS[i][0]}, api_name="/text_to_sign")
                    error = "accepted"
                except Exception as e:  # noqa: BLE001
                    error = _judge_refusal(str(e), "broken.npz" if i == len(BAD_REQUESTS) else BAD_REQUESTS[i][1])
            n += 1
            results.put((idx, "bad" if bad else "good", t0, time.time() - t0, error))
            for p in work.iterdir():  # keep the disk flat: outputs are not needed
                if p != broken:
                    shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
            if bad and pause > 0:
                time.sleep(pause)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        results.put((idx, "done", None, None, None))


def _loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    k = (len(xs) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def _slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of y over x."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    den = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / den if den else 0.0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clients", type=int, default=2, help="client processes (default 2)")
    p.add_argument("--bad-clients", type=int, default=0,
                   help="how many of the clients send bad requests (default 0)")
    p.add_argument("--bad-pause", type=float, default=1.0,
                   help="seconds a bad client waits between its requests (default 1)")
    p.add_argument("--minutes", type=float, default=3.0, help="how long the clients send requests (default 3)")
    p.add_argument("--port", type=int, default=None, help="server port (default: a free one)")
    p.add_argument("--text", default="hello", help="text of every request (default hello)")
    p.add_argument("--language", default="ASL")
    p.add_argument("--steps", type=int, default=2, help="sampling steps per request (default 2)")
    p.add_argument("--backend", default="auto", help="renderer the requests ask for (default auto)")
    p.add_argument("--ply-frame", type=int, default=-1, help="3D frame per request (-1: none; default -1)")
    p.add_argument("--warm-up", type=int, default=10, help="requests excluded from the RSS growth figure (default 10)")
    p.add_argument("--sample-every", type=float, default=5.0, help="seconds between RSS samples (default 5)")
    p.add_argument("--startup-timeout", type=float, default=300.0)
    p.add_argument("--keep-log", action="store_true", help="keep the server log (kept anyway after failures)")
    p.add_argument("--server-arg", action="append", default=[], metavar="ARG",
                   help="extra argument for `signspark demo` (repeatable), e.g. --server-arg=--threads=2")
    args = p.parse_args(argv)
    if not sys.platform.startswith("linux"):
        raise SystemExit("the server's memory is read from /proc: Linux only")
    if args.clients < 1 or args.minutes <= 0 or not 0 <= args.bad_clients < args.clients:
        raise SystemExit("--clients must be >= 1, --minutes > 0 and 0 <= --bad-clients < --clients")

    port = args.port or _free_port()
    url = f"http://127.0.0.1:{port}/"
    scratch = Path(tempfile.mkdtemp(prefix="signspark-load-"))
    env = {**os.environ, "GRADIO_TEMP_DIR": str(scratch / "gradio"), "TMPDIR": str(scratch),
           "GRADIO_ANALYTICS_ENABLED": "False"}
    (scratch / "gradio").mkdir()
    cmd = [sys.executable, "-m", "signspark", "demo", "--port", str(port), "--no-warm-up", *args.server_arg]
    log = open(scratch / "server.log", "w")
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    params = dict(text=args.text, language=args.language, model="built-in", steps=args.steps, guidance=2.0,
                  seed=0, speed=1.0, view="front", backend=args.backend, ply_frame=args.ply_frame, left_handed=False,
                  notation="")
    try:
        t_start = time.time()
        _wait_for_server(url, server, args.startup_timeout)
        print(f"server up after {time.time() - t_start:.1f} s, RSS {_tree_rss_mb(server.pid):.0f} MB; "
              f"{args.clients} client(s) ({args.bad_clients} sending bad requests) for {args.minutes:g} min, "
              f"/text_to_sign {json.dumps(params)}; load average {_loadavg()}", flush=True)
        ctx = mp.get_context("spawn")
        results = ctx.Queue()
        deadline = time.time() + args.minutes * 60
        clients = [ctx.Process(target=_client, args=(i, url, deadline, params, results, i < args.bad_clients,
                                                     args.bad_pause)) for i in range(args.clients)]
        for c in clients:
            c.start()
        done_clients, records, samples = 0, [], []
        next_sample = time.time()
        print(f"{'time s':>7} {'requests':>9} {'failures':>9} {'bad ok':>7} {'server RSS MB':>14} {'threads':>8} "
              f"{'fds':>5} {'load 1m':>8}", flush=True)
        while done_clients < args.clients:
            try:
                rec = results.get(timeout=0.5)
                if rec[1] == "done":
                    done_clients += 1
                else:
                    records.append(rec)
            except Exception:  # queue.Empty
                if not any(c.is_alive() for c in clients) and results.empty():
                    break
            if time.time() >= next_sample:
                rss = _tree_rss_mb(server.pid)
                threads, fds = _threads_and_fds(server.pid)
                good = [r for r in records if r[1] == "good"]
                samples.append((time.time() - t_start, len(good), rss))
                print(f"{samples[-1][0]:7.0f} {len(good):9d} {sum(r[4] is not None for r in good):9d} "
                      f"{sum(r[1] == 'bad' and r[4] is None for r in records):7d} {rss:14.1f} {threads!s:>8} "
                      f"{fds!s:>5} {os.getloadavg()[0]:8.2f}", flush=True)
                next_sample += args.sample_every
        for c in clients:
            c.join(timeout=30)
        good = [r for r in records if r[1] == "good"]
        samples.append((time.time() - t_start, len(good), _tree_rss_mb(server.pid)))
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()

    good = [r for r in records if r[1] == "good"]
    ok = [r for r in good if r[4] is None]
    failed = [r for r in good if r[4] is not None]
    print(f"\nrequests: {len(good)}  failures: {len(failed)}  (load average at the end {_loadavg()})")
    for r in failed[:5]:
        print(f"  failure: {r[4]}")
    bad = [r for r in records if r[1] == "bad"]
    wrong = [r for r in bad if r[4] is not None]
    if bad:
        print(f"bad requests: {len(bad)}  refused with a readable message: {len(bad) - len(wrong)}  "
              f"not: {len(wrong)}")
        for r in wrong[:5]:
            print(f"  bad request answered wrongly: {r[4]}")
    if ok:
        lat = [r[3] for r in ok]
        print("latency s: " + "  ".join(f"p{int(q * 100)} {_percentile(lat, q):.2f}" for q in (0.5, 0.9, 0.99))
              + f"  max {max(lat):.2f}  mean {statistics.mean(lat):.2f}")
        span = max(r[2] + r[3] for r in ok) - min(r[2] for r in ok)
        print(f"throughput: {len(ok) / span * 60:.1f} requests/min")
    if bad:
        lat = [r[3] for r in bad]
        print("bad-request latency s: " + "  ".join(f"p{int(q * 100)} {_percentile(lat, q):.2f}" for q in (0.5, 0.9))
              + f"  max {max(lat):.2f}")
    after = [(n, rss) for _, n, rss in samples if n >= args.warm_up and rss is not None]
    if len(after) >= 2:
        first, last = after[0], after[-1]
        growth = (last[1] - first[1]) / first[1] * 100
        per_req = _slope([(float(n), rss) for n, rss in after])
        print(f"server RSS after {first[0]} requests (warm-up): {first[1]:.0f} MB; after {last[0]}: {last[1]:.0f} MB "
              f"({growth:+.1f} %); fitted growth {per_req:+.2f} MB/request over {last[0] - first[0]} requests")
        print(f"RSS target (flat within 10 % after warm-up): {'met' if abs(growth) <= 10 else 'NOT met'}")
        half = [(n, rss) for _, n, rss in samples if n >= last[0] / 2 and rss is not None]
        if len(half) >= 2:  # a plateau whatever the warm-up: the render threads (and their GL contexts) come late
            print(f"second half of the run: {half[0][1]:.0f} MB after {half[0][0]} requests, {half[-1][1]:.0f} MB "
                  f"after {half[-1][0]} ({(half[-1][1] - half[0][1]) / half[0][1] * 100:+.1f} %); "
                  f"range {min(r for _, r in half):.0f}-{max(r for _, r in half):.0f} MB")
    else:
        print("too few requests after the warm-up for an RSS growth figure (run longer or lower --warm-up)")
    failed = failed + wrong
    if failed or args.keep_log:
        print(f"server log: {scratch / 'server.log'}")
    else:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
