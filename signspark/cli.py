"""The ``signspark`` command.

Each subcommand lives in ``signspark/commands/<name>.py`` and defines
``add_parser(subparsers)`` (cheap: no heavy imports) and ``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading

COMMANDS = ["info", "generate", "segment", "render", "corpus", "evaluate", "download", "demo"]

DESCRIPTION = """\
SignSparK: spoken-language text to 3D signing (SMPL-X bodies with MANO hands).

Typical use:
  signspark generate "hello" --lang ASL -o hello.npz     text -> PoseSequence
  signspark render hello.npz -o hello.mp4                 PoseSequence -> video
  signspark segment clips/ -o tags.json                   FAST sign segmentation
  signspark demo                                          the browser demo
"""


class CLIError(Exception):
    """A user-facing error: printed without a traceback, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="signspark", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"signspark.commands.{name}")
        except ModuleNotFoundError as e:
            if e.name == f"signspark.commands.{name}":
                continue
            raise
        p = module.add_parser(sub)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from signspark import __version__
        print(__version__)
        return 0
    if not getattr(args, "_run", None):
        parser.print_help()
        return 0
    previous = _exit_on_sigterm()
    try:
        return int(args._run(args) or 0)
    except CLIError as e:
        print(f"signspark {args.command}: error: {e}", file=sys.stderr)
        return 2
    except (ValueError, FileNotFoundError, KeyError, OSError) as e:
        # Validation errors from the library carry a readable message; no traceback for users.
        print(f"signspark {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _exit_on_sigterm():
    """Turn SIGTERM into SystemExit(143) in the main thread, so that a terminated command cleans up like
    an interrupted one (temporary files removed, the video encoder stopped). Returns the previous handler."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def terminate(signum, frame):
        raise SystemExit(128 + signum)

    return signal.signal(signal.SIGTERM, terminate)


if __name__ == "__main__":
    sys.exit(main())
