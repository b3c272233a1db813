"""Load benchmark: N clients for M minutes against a local demo server; latency, failures and server memory.

The server is ``signspark demo --port P --no-warm-up`` started as a subprocess (the installed
package); each client is a separate process with its own ``gradio_client.Client`` calling
``/text_to_sign`` in a loop (outputs downloaded, as a browser would, then deleted). The server's
resident memory is sampled from ``/proc`` while the clients run.

Printed: requests, failures, latency percentiles, the server's RSS over time and its growth per
request after the warm-up requests (target: flat within 10 % over 200 requests).

    python bench/load.py --clients 2 --minutes 3
    python bench/load.py --clients 4 --minutes 10 --backend skeleton --steps 4
    MALLOC_ARENA_MAX=2 python bench/load.py ...        # the environment is passed to the server
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
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


def _client(idx: int, url: str, deadline: float, params: dict, results) -> None:
    """One client process: requests until the deadline; each result (client, start, seconds, error) queued."""
    work = Path(tempfile.mkdtemp(prefix=f"load-client{idx}-"))
    tempfile.tempdir = str(work)  # gradio_client leaves a folder per download in the temp folder
    os.environ["TMPDIR"] = str(work)
    from gradio_client import Client

    try:
        client = Client(url, verbose=False, download_files=str(work / "downloads"))
        while time.time() < deadline:
            t0 = time.time()
            error = None
            try:
                client.predict(**params, api_name="/text_to_sign")
            except Exception as e:  # noqa: BLE001 - counted and reported, the load goes on
                error = f"{type(e).__name__}: {str(e)[:200]}"
            results.put((idx, t0, time.time() - t0, error))
            for p in work.iterdir():  # keep the disk flat: outputs are not needed
                shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        results.put((idx, None, None, "done"))


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
    if args.clients < 1 or args.minutes <= 0:
        raise SystemExit("--clients must be >= 1 and --minutes > 0")

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
              f"{args.clients} client(s) for {args.minutes:g} min, /text_to_sign {params}", flush=True)
        ctx = mp.get_context("spawn")
        results = ctx.Queue()
        deadline = time.time() + args.minutes * 60
        clients = [ctx.Process(target=_client, args=(i, url, deadline, params, results)) for i in range(args.clients)]
        for c in clients:
            c.start()
        done_clients, records, samples = 0, [], []
        next_sample = time.time()
        print(f"{'time s':>7} {'requests':>9} {'failures':>9} {'server RSS MB':>14}", flush=True)
        while done_clients < args.clients:
            try:
                rec = results.get(timeout=0.5)
                if rec[3] == "done":
                    done_clients += 1
                else:
                    records.append(rec)
            except Exception:  # queue.Empty
                if not any(c.is_alive() for c in clients) and results.empty():
                    break
            if time.time() >= next_sample:
                rss = _tree_rss_mb(server.pid)
                fails = sum(r[3] is not None for r in records)
                samples.append((time.time() - t_start, len(records), rss))
                print(f"{samples[-1][0]:7.0f} {len(records):9d} {fails:9d} {rss:14.1f}", flush=True)
                next_sample += args.sample_every
        for c in clients:
            c.join(timeout=30)
        samples.append((time.time() - t_start, len(records), _tree_rss_mb(server.pid)))
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()

    ok = [r for r in records if r[3] is None]
    failed = [r for r in records if r[3] is not None]
    print(f"\nrequests: {len(records)}  failures: {len(failed)}")
    for r in failed[:5]:
        print(f"  failure: {r[3]}")
    if ok:
        lat = [r[2] for r in ok]
        print("latency s: " + "  ".join(f"p{int(q * 100)} {_percentile(lat, q):.2f}" for q in (0.5, 0.9, 0.99))
              + f"  max {max(lat):.2f}  mean {statistics.mean(lat):.2f}")
        span = max(r[1] + r[2] for r in ok) - min(r[1] for r in ok)
        print(f"throughput: {len(ok) / span * 60:.1f} requests/min")
    after = [(n, rss) for _, n, rss in samples if n >= args.warm_up and rss is not None]
    if len(after) >= 2:
        first, last = after[0], after[-1]
        growth = (last[1] - first[1]) / first[1] * 100
        per_req = _slope([(float(n), rss) for n, rss in after])
        print(f"server RSS after {first[0]} requests (warm-up): {first[1]:.0f} MB; after {last[0]}: {last[1]:.0f} MB "
              f"({growth:+.1f} %); fitted growth {per_req:+.2f} MB/request over {last[0] - first[0]} requests")
        print(f"RSS target (flat within 10 % after warm-up): {'met' if abs(growth) <= 10 else 'NOT met'}")
    else:
        print("too few requests after the warm-up for an RSS growth figure (run longer or lower --warm-up)")
    if failed or args.keep_log:
        print(f"server log: {scratch / 'server.log'}")
    else:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
