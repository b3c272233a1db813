"""``signspark export-pose``: a PoseSequence as a MediaPipe Holistic ``.pose`` file (sign.mt, pose-viewer)."""

from __future__ import annotations

import argparse

DESCRIPTION = """\
Write a PoseSequence (.npz) as a .pose file in MediaPipe Holistic layout
(POSE_LANDMARKS 33, FACE_LANDMARKS 468, LEFT/RIGHT_HAND_LANDMARKS 21 each,
POSE_WORLD_LANDMARKS 33), which pose-format, the sign.mt tools and
pose-viewer read.

The points come from the body model (skeleton joints, fingertips, face
landmarks) and are projected with the camera of `signspark render --view
front` at --size pixels and --fov degrees: x and y are pixels of that
picture, z is MediaPipe-style relative depth. The world landmarks are metres
in the camera's axes, centred between the hips. Face-mesh points without a
counterpart on our face (most of the 468) are stored with confidence 0.

Example:
  signspark generate "hello" --lang ASL -o hello.npz
  signspark export-pose hello.npz -o hello.pose
"""


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("export-pose", help="PoseSequence .npz -> MediaPipe Holistic .pose file",
                       description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", metavar="SEQ.npz", help="a PoseSequence .npz")
    p.add_argument("-o", "--output", metavar="OUT.pose", required=True, help="the .pose file to write")
    p.add_argument("--size", type=int, default=512, help="picture size of the camera in pixels (default %(default)s)")
    p.add_argument("--fov", type=float, default=25.0, help="vertical field of view, degrees (default %(default)s)")
    return p


def run(args: argparse.Namespace) -> int:
    from signspark.cli import CLIError

    if not args.output.lower().endswith(".pose"):
        raise CLIError(f"{args.output}: the output is written as .pose")
    if not 16 <= args.size <= 4096:
        raise CLIError(f"--size must be between 16 and 4096, got {args.size}")
    if not 1 <= args.fov <= 150:
        raise CLIError(f"--fov must be between 1 and 150 degrees, got {args.fov}")
    from signspark.capture.pose_format_io import export_pose
    from signspark.pose import PoseSequence

    seq = PoseSequence.load(args.input)
    path = export_pose(seq, args.output, size=args.size, fov_y=args.fov)
    print(f"wrote {path} ({seq.num_frames} frames)")
    return 0
