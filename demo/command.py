"""How the demo is started: ``signspark demo`` (a command the demo adds to the ``signspark`` CLI
through the ``signspark.commands`` entry point), ``signspark-demo`` or ``python -m demo``.

The library never imports this package; the CLI finds the command through the entry point
that ``pyproject.toml`` declares.
"""

from __future__ import annotations

import argparse
import os
import sys

HELP = "start the Gradio browser demo"
DESCRIPTION = ("Start the SignSparK browser demo on the built-in model (works offline). "
               "Open the printed local address in a browser. Visitors choose the built-in or the official model, "
               "or a folder named with --allow-model; --any-model lets them type any (trusted, local use).")


def _int_in(name: str, lo: int, hi: int):
    def parse(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a whole number, got {value!r}") from None
        if not lo <= n <= hi:
            raise argparse.ArgumentTypeError(f"{name} must be between {lo} and {hi}, got {n}")
        return n
    return parse


def add_arguments(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
                   help="address to listen on; 0.0.0.0 serves the local network (default 127.0.0.1)")
    p.add_argument("--port", type=_int_in("--port", 1, 65535), default=os.environ.get("GRADIO_SERVER_PORT", "7860"),
                   help="port (default 7860)")
    p.add_argument("--concurrency", type=_int_in("--concurrency", 1, 64), default=2,
                   help="requests processed at the same time, 1-64 (default 2)")
    p.add_argument("--share", action="store_true", help="also create a public gradio.live link (needs internet)")
    p.add_argument("--model", default=None, metavar="NAME_OR_DIR",
                   help="model selected when the page opens: built-in (default), official, or a model folder "
                        "(added to the menu); a Hub repo id needs --any-model")
    p.add_argument("--allow-model", action="append", default=[], metavar="DIR",
                   help="a model folder visitors may choose besides built-in and official (repeatable); by default "
                        "the menu offers those two only, and nothing typed can load another folder or Hub repo")
    p.add_argument("--any-model", action="store_true",
                   help="let visitors type any Hub repo id or folder of this machine into the model box; for local, "
                        "trusted use only (a visitor could make the server read its folders or download repos)")
    p.add_argument("--threads", type=_int_in("--threads", 1, 256), default=None,
                   help="torch threads (default: 1 without CUDA, leaving the cores to the renderer and encoder)")
    p.add_argument("--no-warm-up", action="store_true",
                   help="do not run one small request at start (it loads everything before the first visitor)")
    return p


def add_parser(subparsers) -> argparse.ArgumentParser:
    """The ``signspark demo`` subcommand."""
    return add_arguments(subparsers.add_parser("demo", help=HELP, description=DESCRIPTION))


def run(args: argparse.Namespace) -> int:
    """Start the server; bad model options raise ValueError (``signspark``: exit status 2) before it starts."""
    from demo.models import ModelMenu

    ModelMenu.for_launch(args.allow_model, args.any_model, args.model)  # checked before the slow imports
    from demo.app import serve

    serve(host=args.host, port=args.port, concurrency=args.concurrency, model=args.model, share=args.share,
          threads=args.threads, warm=not args.no_warm_up, allow_models=args.allow_model, any_model=args.any_model)
    return 0


def main(argv: list[str] | None = None) -> int:
    """``signspark-demo`` / ``python -m demo``."""
    parser = add_arguments(argparse.ArgumentParser(prog="signspark-demo", description=DESCRIPTION))
    args = parser.parse_args(argv)
    from demo.models import ModelMenu

    try:
        ModelMenu.for_launch(args.allow_model, args.any_model, args.model)
    except ValueError as e:
        parser.error(str(e))
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
