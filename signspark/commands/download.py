"""``signspark download``: fetch weights into the Hugging Face cache (or a folder) for offline use.

    signspark download official [--streams hand body face] [--revision SHA] [--dir DIR]
    signspark download mclip [--revision SHA]
    signspark download model ORG/NAME [--revision SHA]
"""

from __future__ import annotations

import argparse
import sys

EPILOG = """\
examples:
  signspark download official --streams hand          the official hand checkpoint (~5.6 GB)
  signspark download official --dir checkpoints/      into checkpoints/<stream>/ema_0.9999_200000.pt
  signspark download mclip                            the M-CLIP text encoder used by the official models
  signspark download model org/signspark-builtin      any SignSparK model folder on the Hub

Files go to the Hugging Face cache ($HF_HOME/hub) unless --dir is given; later runs
with HF_HUB_OFFLINE=1 find them there. Pin --revision to a commit for reproducible results.
"""


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("download", help="download official checkpoints, the M-CLIP text encoder or a model",
                       description="Download weights from the Hugging Face Hub so that later runs work offline.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    what = p.add_subparsers(dest="what", metavar="WHAT", required=True)

    o = what.add_parser("official", help="the official SignSparK checkpoints (non-commercial licence)",
                        description="Download the official SignSparK checkpoints <stream>/ema_0.9999_200000.pt. "
                                    "They are for non-commercial research use only.")
    o.add_argument("--streams", nargs="+", default=["hand", "body", "face"], choices=["hand", "body", "face"],
                   metavar="STREAM", help="which streams: hand body face (default: all three; no 'full' was released)")
    o.add_argument("--revision", metavar="SHA", help="branch, tag or commit of the Hub repository")
    o.add_argument("--dir", metavar="DIR", help="put the files in DIR/<stream>/ instead of the Hugging Face cache")
    o.add_argument("--repo", metavar="ORG/NAME", default=None, help="Hub repository (default LionelLow/SignSparK)")

    m = what.add_parser("mclip", help="the M-CLIP text encoder (XLM-R large, 2.2 GB)",
                        description="Download M-CLIP/XLM-Roberta-Large-Vit-B-16Plus (weights and tokenizer).")
    m.add_argument("--revision", metavar="SHA", help="branch, tag or commit of the Hub repository")
    m.add_argument("--repo", metavar="ORG/NAME", default=None, help="another M-CLIP repository")

    g = what.add_parser("model", help="any SignSparK model folder on the Hub",
                        description="Download a SignSparK model folder (config.json, model.safetensors, ...).")
    g.add_argument("repo", metavar="ORG/NAME", help="Hub repository id")
    g.add_argument("--revision", metavar="SHA", help="branch, tag or commit of the Hub repository")
    return p


def run(args: argparse.Namespace) -> int:
    from signspark import hub
    from signspark.cli import CLIError

    try:
        repo = getattr(args, "repo", None)
        if repo is not None:  # this command only downloads: a local folder or path is not a model to fetch
            hub.check_repo_id(repo, "--repo" if args.what != "model" else "the model")
        if args.what == "official":
            print(hub.OFFICIAL_LICENCE_NOTE, file=sys.stderr)
            paths = hub.download_official(args.streams, revision=args.revision,
                                          repo_id=args.repo or hub.OFFICIAL_REPO_ID, local_dir=args.dir,
                                          notice=False)
            for stream, path in paths.items():
                print(f"{stream}\t{path}")
        elif args.what == "mclip":
            from signspark.text.mclip import MCLIP_REPO_ID, MODEL_FILES

            folder = hub.load_pretrained_folder(args.repo or MCLIP_REPO_ID, revision=args.revision,
                                                allow_patterns=MODEL_FILES)
            print(folder)
        else:
            print(hub.load_pretrained_folder(args.repo, revision=args.revision))
    except hub.HubError as e:
        raise CLIError(str(e)) from e
    return 0
