"""``signspark render``: a PoseSequence ``.npz`` -> an mp4 of the signing avatar (and optionally a .ply)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..cli import CLIError

BACKENDS = ("auto", "gsplat", "gl", "torch", "mesh", "skeleton")
VIEWS = ("front", "three_quarter", "side", "hands")  # signspark.render.views.VIEWS (kept light: no torch at parse time)

EPILOG = """\
examples:
  signspark render hello.npz -o hello.mp4
  signspark render hello.npz -o cmp.mp4 --compare reference.npz --caption
  signspark render hello.npz -o hello.mp4 --backend skeleton --view hands
  signspark render hello.npz -o hello.mp4 --ply-frame 12            # also writes hello_frame12.ply
  signspark render hello.npz -o hello.mp4 --ply-frame 12 --ply pose.ply
  signspark render hello.npz -o hello_left.mp4 --left-handed

--left-handed mirrors the signing across the body's sagittal plane before rendering (the pose,
not the video): the left hand signs one-handed signs and the hands swap roles in two-handed
signs. With --compare, the reference is mirrored too.

--ply-frame N writes the avatar posed at frame N as a standard 3D Gaussian splatting .ply
(opens in gr.Model3D and common splat viewers): to --ply PATH when given, else next to the
video as <OUT stem>_frame<N>.ply.
"""


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "render", help="render a pose sequence (.npz) to an mp4 video",
        description="Render a PoseSequence .npz with the Gaussian avatar (or a mesh / skeleton) to an H.264 mp4.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("seq", metavar="SEQ.npz", help="pose sequence to render")
    p.add_argument("-o", "--output", required=True, metavar="OUT.mp4", help="video to write")
    p.add_argument("--backend", default="auto", choices=BACKENDS,
                   help="renderer: auto picks gsplat (CUDA), else gl (OpenGL/EGL), else torch (default: auto)")
    p.add_argument("--view", default="front", choices=VIEWS, help="camera preset (default: front)")
    p.add_argument("--size", type=int, default=512, help="frame size in pixels, square, 16 to 4096 (default: 512)")
    p.add_argument("--background", default="white", help="white, black or #rrggbb (default: white)")
    p.add_argument("--compare", metavar="OTHER.npz",
                   help="a reference sequence shown on the left (SEQ is on the right, labelled generated)")
    p.add_argument("--ply-frame", type=int, metavar="N", help="also write the avatar at frame N as a 3DGS .ply")
    p.add_argument("--ply", metavar="PATH.ply", help="where --ply-frame writes (default: OUT stem + _frameN.ply)")
    p.add_argument("--caption", action="store_true", help="caption: the text and the current sign")
    p.add_argument("--fps", type=float, help="output frame rate (default: the sequence's)")
    p.add_argument("--no-keyframes", action="store_true", help="do not highlight keyframes with a border")
    p.add_argument("--avatar", metavar="AVATAR.ply",
                   help="your own avatar: rest-pose 3DGS .ply with a face_id binding (see signspark.render.ply)")
    p.add_argument("--left-handed", action="store_true",
                   help="a left-handed signer: mirror the pose (hands swap roles) before rendering")
    p.add_argument("--threads", type=int, default=1,
                   help="torch CPU threads, 1 to 256 (default 1: the encoder and OpenGL use the other cores)")
    return p


def run(args) -> int:
    import torch
    from tqdm import tqdm

    from ..pose.sequence import PoseFileError, PoseSequence
    from ..render import RenderOptions, export_ply_frame, load_avatar, render_video
    from ..render.backends.base import BackendUnavailableError
    from ..render.ply import PlyError

    out = Path(args.output)
    if out.suffix.lower() != ".mp4":
        raise CLIError(f"output {out} must end in .mp4")
    from ..options import check

    size = check("size", args.size)
    fps = check("fps", args.fps)
    threads = check("threads", args.threads)
    ply_frame = check("ply_frame", args.ply_frame)
    if args.ply is not None and args.ply_frame is None:
        raise CLIError("--ply needs --ply-frame N")
    if args.ply is not None and Path(args.ply).suffix.lower() != ".ply":
        raise CLIError(f"--ply {args.ply} must end in .ply")
    from ..atomic import check_writable

    check_writable(out)  # both outputs, before the render: a failed command leaves neither
    if ply_frame is not None:
        check_writable(_ply_path(args, out, ply_frame))
    torch.set_num_threads(threads)
    try:
        seq = PoseSequence.load(args.seq)
        other = PoseSequence.load(args.compare) if args.compare else None
    except PoseFileError as e:
        raise CLIError(str(e)) from None
    if ply_frame is not None and not ply_frame < seq.num_frames:
        raise CLIError(f"--ply-frame {ply_frame} is outside the clip (0..{seq.num_frames - 1})")

    from ..render.api import _builtin_body

    body = _builtin_body()
    if args.left_handed:
        from ..pose.mirror import mirror_sequence

        seq = mirror_sequence(seq, body)
        other = mirror_sequence(other, body) if other is not None else None
    avatar = None
    if args.avatar:
        try:
            avatar = load_avatar(args.avatar, body_model=body)
        except PlyError as e:
            raise CLIError(str(e)) from None
    try:
        options = RenderOptions(backend=args.backend, view=args.view, size=size, background=args.background,
                                highlight_keyframes=not args.no_keyframes, caption=True if args.caption else None,
                                fps=fps, avatar=avatar).resolved()
    except ValueError as e:
        raise CLIError(str(e)) from None
    total = max(seq.num_frames, other.num_frames if other is not None else 0)
    from ..termination import raise_if_terminated

    def progress(done: int, n: int) -> None:
        raise_if_terminated()
        bar.update(done - bar.n)

    with tqdm(total=total, unit="frame", desc="render", leave=False) as bar:
        try:
            path = render_video(seq, out, options, compare=other, body_model=body, progress=progress)
        except BackendUnavailableError as e:
            raise CLIError(str(e)) from None
    print(f"wrote {path} ({total} frames)")
    if ply_frame is not None:
        ply = _ply_path(args, out, ply_frame)
        export_ply_frame(seq, ply_frame, ply, body_model=body, avatar=avatar)
        print(f"wrote {ply}")
    return 0


def _ply_path(args, out: Path, ply_frame: int) -> Path:
    """Where --ply-frame writes: --ply, else beside the video as <OUT stem>_frame<N>.ply."""
    return Path(args.ply) if args.ply else out.with_name(f"{out.stem}_frame{ply_frame}.ply")
