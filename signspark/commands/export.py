"""``signspark export``: a PoseSequence ``.npz`` -> an animated glTF 2.0 binary (``.glb``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..cli import CLIError

HELP = "export a pose sequence (.npz) as an animated 3D model (.glb) for Blender, web viewers and slides"

EPILOG = """\
The .glb (glTF 2.0 binary) holds the avatar's mesh in its region colours (skin, hair,
clothing), the 55-joint SMPL-X skeleton with skin weights, the signing as a skeletal
animation at the clip's frame rate, and the 50 expression blend shapes as morph targets
with their weights per frame. Metres, y up, the body facing +z, as glTF requires.
It is a standard glTF file, for Blender (File > Import > glTF 2.0), three.js and
Babylon.js viewers (the demo's 3D viewer plays it) and slide software that takes .glb
models with animations (PowerPoint: Insert > 3D Models). The tests check every file with
the Khronos glTF validator and play it with three.js and Babylon.js; Blender and
PowerPoint were not tried here.

The body is the built-in one, or the licensed SMPL-X model when $SIGNSPARK_SMPLX_DIR is
set (its pose-corrective blend shapes cannot be stored in glTF and are left out).

Size: about 1 MB plus 0.9 kB per frame; expressions add about 2.2 MB (--no-expressions
leaves them out). A 3 s clip at 25 fps is about 3.3 MB, or 1.1 MB without expressions.

Examples:
  signspark export hello.npz -o hello.glb
  signspark export hello.npz -o hello.glb --no-expressions --left-handed
  signspark export hello.npz -o hello.glb --colors vertex
"""


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("export", help=HELP, description=HELP[0].upper() + HELP[1:] + ".", epilog=EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("seq", metavar="SEQ.npz", help="pose sequence to export")
    p.add_argument("-o", "--output", required=True, metavar="OUT.glb", help="glTF binary to write")
    p.add_argument("--no-expressions", action="store_true",
                   help="leave out the expression morph targets and their animation (about 2.2 MB smaller)")
    p.add_argument("--colors", choices=("regions", "vertex"), default="regions",
                   help="regions: one named material per body region (default); vertex: per-vertex colours")
    p.add_argument("--left-handed", action="store_true",
                   help="a left-handed signer: mirror the pose (hands swap roles) before exporting")
    return p


def run(args) -> int:
    from ..export.gltf import GltfExportError, write_glb
    from ..pose.sequence import PoseFileError, PoseSequence

    out = Path(args.output)
    if out.suffix.lower() != ".glb":
        raise CLIError(f"output {out} must end in .glb")
    try:
        seq = PoseSequence.load(args.seq)
    except PoseFileError as e:
        raise CLIError(str(e)) from None
    from ..body import BodyModel, BodyModelError

    try:
        body = BodyModel.load()
    except BodyModelError as e:
        raise CLIError(str(e)) from None
    if args.left_handed:
        from ..pose.mirror import mirror_sequence

        seq = mirror_sequence(seq, body)
    try:
        info = write_glb(seq, out, body, expressions=not args.no_expressions, colors=args.colors)
    except GltfExportError as e:
        raise CLIError(str(e)) from None
    extra = f", {info.morph_targets} expression targets" if info.morph_targets else ""
    print(f"wrote {info.path}: {info.size_bytes / 1e6:.2f} MB, {info.frames} frames ({info.duration:.2f} s), "
          f"{info.vertices} vertices, {info.joints} joints{extra}, body {info.body}")
    if body.posedirs is not None:
        print("note: the SMPL-X pose-corrective blend shapes are not part of the .glb")
    return 0
