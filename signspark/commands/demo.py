"""``signspark demo``: start the browser demo (the repository's ``demo/app.py``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from signspark.cli import CLIError


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "demo", help="start the Gradio browser demo",
        description="Start the SignSparK browser demo on the built-in model (works offline). "
                    "Open the printed local address in a browser.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on; 0.0.0.0 serves the local network")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--concurrency", type=int, default=2, help="requests processed at the same time (default 2)")
    p.add_argument("--share", action="store_true", help="also create a public gradio.live link (needs internet)")
    p.add_argument("--model", default=None, metavar="PATH_OR_REPO",
                   help="model selected when the page opens: built-in (default), official, a Hub repo id "
                        "or a local model folder (the menu still offers the others)")
    p.add_argument("--threads", type=int, default=None,
                   help="torch threads (default: 1 without CUDA, leaving the cores to the renderer and encoder)")
    p.add_argument("--no-warm-up", action="store_true",
                   help="do not run one small request at start (it loads everything before the first visitor)")
    return p


def _demo_root() -> Path:
    root = Path(__file__).resolve().parents[2]
    if not (root / "demo" / "app.py").is_file():
        raise CLIError("the demo app (demo/app.py) is not next to this installation of signspark; "
                       "install the package from a clone of the repository with `pip install -e .`")
    return root


def run(args: argparse.Namespace) -> int:
    root = _demo_root()
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from demo.app import main

    argv = ["--host", args.host, "--port", str(args.port), "--concurrency", str(args.concurrency)]
    argv += ["--model", args.model] if args.model else []
    argv += ["--threads", str(args.threads)] if args.threads else []
    argv += ["--no-warm-up"] if args.no_warm_up else []
    return main(argv + (["--share"] if args.share else []))
