"""The ``signspark`` command.

Each subcommand lives in ``signspark/commands/<name>.py`` and defines
``add_parser(subparsers)`` (cheap: no heavy imports) and ``run(args) -> int``.
Other packages add commands the same way through the ``signspark.commands`` entry
point group (the browser demo adds ``signspark demo`` so; the library never imports it).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from . import termination

COMMANDS = ["info", "generate", "segment", "render", "export", "capture", "export-pose", "corpus", "evaluate",
            "download", "cache"]
ENTRY_POINT_GROUP = "signspark.commands"

DESCRIPTION = """\
SignSparK: spoken-language text to 3D signing (SMPL-X bodies with MANO hands).

Typical use:
  signspark generate "hello" --lang ASL -o hello.npz     text -> PoseSequence
  signspark render hello.npz -o hello.mp4                 PoseSequence -> video
  signspark export hello.npz -o hello.glb                 PoseSequence -> animated 3D model (glTF)
  signspark segment clips/ -o tags.json                   FAST sign segmentation
  signspark capture signing.mp4 -o signing.npz            video -> PoseSequence (MediaPipe + fit)
  signspark demo                                          the browser demo
"""


class CLIError(Exception):
    """A user-facing error: printed without a traceback, exit status 2."""


def _plugin_commands():
    from importlib.metadata import entry_points

    return sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="signspark", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = [(name, f"signspark.commands.{name.replace('-', '_')}") for name in COMMANDS]
    modules += [(ep.name, ep.value) for ep in _plugin_commands() if ep.name not in COMMANDS]
    for name, path in modules:
        try:
            module = importlib.import_module(path)
        except ModuleNotFoundError as e:
            if e.name == path:
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
    previous = termination.install()
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
        termination.restore(previous)


if __name__ == "__main__":
    sys.exit(main())
