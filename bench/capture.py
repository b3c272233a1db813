"""Capture accuracy and speed on ground truth we own: render fingerspelling, capture it back, compare.

Usage::

    python bench/capture.py [--words ASL:hello ASL:world BSL:cat DGS:Hallo] [--size 512] [--backend gl]
                            [--fov 25] [--iterations 40 60] [--threads 1] [--ideal]

For each word: the fingerspelled PoseSequence (``signspark.signs.spell``) is rendered with
``render_video`` (front view), MediaPipe Holistic finds the landmarks and the fit turns them into a
PoseSequence, which is compared with the one rendered, frame by frame (built-in body):

* hand PA-MPJPE (mm): 21 points per hand after a per-frame similarity Procrustes, over the frames in
  which MediaPipe saw that hand; "signing" = the hand whose wrist is raised above its elbow;
* finger angle error (degrees): geodesic distance between true and fitted rotations of the 15 finger
  joints, signing hand;
* body PA-MPJPE (mm): shoulders, elbows, wrists after a per-frame similarity Procrustes;
* frames per second end to end (landmarks + fit; rendering not counted), and each part alone.

``--ideal`` skips rendering and MediaPipe and fits the landmarks our body itself gives (the fit's
own error floor). ``--fov`` is the field of view the fit assumes (25 = the renderer's camera).
Targets: hand PA-MPJPE <= 10 mm, >= 10 frames/s at 512 px on 2 cores.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch


def _pa(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """(T,) mean point distance after aligning b to a with a similarity per frame (metres)."""
    from signspark.capture.geometry import similarity_fit

    R, s, t = similarity_fit(b, a)
    return (s[:, None, None] * b @ R.transpose(1, 2) + t[:, None] - a).norm(dim=-1).mean(-1)


def _angle_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(T,) mean geodesic angle between two (T, 45) MANO poses, degrees."""
    from signspark.pose.rotations import axis_angle_to_matrix

    Ra = axis_angle_to_matrix(torch.as_tensor(a).view(-1, 15, 3))
    Rb = axis_angle_to_matrix(torch.as_tensor(b).view(-1, 15, 3))
    cos = ((torch.einsum("tjab,tjab->tj", Ra, Rb) - 1) / 2).clamp(-1, 1)
    return torch.rad2deg(torch.acos(cos)).mean(-1).numpy()


def evaluate(word: str, args, body, workdir: Path) -> dict:
    from signspark.body.joints import JOINT_INDEX, hand_joint_indices
    from signspark.capture import FitOptions, detect_landmarks, fit_landmarks, landmarks_from_sequence
    from signspark.capture import layout as L
    from signspark.signs import spell
    from signspark.render import RenderOptions, render_video

    lang, text = word.split(":", 1)
    seq = spell(text, lang)
    t0 = time.perf_counter()
    if args.ideal:
        lm, _ = landmarks_from_sequence(seq, body_model=body, size=args.size)
    else:
        video = workdir / f"{lang}_{text}.mp4"
        render_video(seq, video, RenderOptions(backend=args.backend, size=args.size, highlight_keyframes=False),
                     body_model=body)
        t0 = time.perf_counter()
        lm = detect_landmarks(video)
    t1 = time.perf_counter()
    hit, bit = args.iterations
    res = fit_landmarks(lm, FitOptions(fov_y=args.fov, hand_iterations=hit, body_iterations=bit), body_model=body)
    t2 = time.perf_counter()
    with torch.no_grad():
        gt, out = body(seq).joints, body(res.sequence).joints
    row = {"word": word, "frames": seq.num_frames, "landmarks_s": t1 - t0, "fit_s": t2 - t1}
    hand_err, sign_err, ang = [], [], []
    for side, comp in (("left", L.LEFT_HAND), ("right", L.RIGHT_HAND)):
        ids = list(hand_joint_indices(side))
        seen = torch.as_tensor(lm.present(comp))
        raised = gt[:, JOINT_INDEX[f"{side}_wrist"], 1] > gt[:, JOINT_INDEX[f"{side}_elbow"], 1]
        row[f"{side}_seen"] = float(seen.float().mean())
        if seen.any():
            e = _pa(gt[seen][:, ids], out[seen][:, ids])
            hand_err.append(e)
            m = raised[seen]
            if m.any():
                sign_err.append(e[m])
                a = _angle_deg(seq.params[f"{side}_hand_pose"][seen.numpy()][m.numpy()],
                               res.sequence.params[f"{side}_hand_pose"][seen.numpy()][m.numpy()])
                ang.append(a)
    row["hand_pa_mm"] = float(torch.cat(hand_err).mean() * 1000) if hand_err else float("nan")
    row["signing_hand_pa_mm"] = float(torch.cat(sign_err).mean() * 1000) if sign_err else float("nan")
    row["finger_angle_deg"] = float(np.concatenate(ang).mean()) if ang else float("nan")
    arm = [JOINT_INDEX[n] for n in ("left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist",
                                    "right_wrist")]
    row["body_pa_mm"] = float(_pa(gt[:, arm], out[:, arm]).mean() * 1000)
    row["reprojection_px"] = float(res.reprojection_px.mean())
    return row


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--words", nargs="+", default=["ASL:hello", "ASL:world", "BSL:cat", "DGS:Hallo"],
                    help="LANG:TEXT pairs to fingerspell (default %(default)s)")
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--backend", default="gl", help="render backend: gl, mesh, torch (default %(default)s)")
    ap.add_argument("--fov", type=float, default=25.0, help="field of view the fit assumes (default: the renderer's)")
    ap.add_argument("--iterations", type=int, nargs=2, default=[40, 60], metavar=("HAND", "BODY"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--ideal", action="store_true", help="fit our body's own landmarks (no rendering, no MediaPipe)")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    from signspark.body import BodyModel

    body = BodyModel.load()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for word in args.words:
            rows.append(evaluate(word, args, body, Path(tmp)))
    src = "ideal landmarks" if args.ideal else f"MediaPipe on {args.backend} renders"
    print(f"capture benchmark: {src}, {args.size} px, fit fov {args.fov} deg, iterations {args.iterations}, "
          f"{args.threads} thread(s)")
    cols = ["word", "frames", "left_seen", "right_seen", "hand_pa_mm", "signing_hand_pa_mm", "finger_angle_deg",
            "body_pa_mm", "reprojection_px"]
    print("| " + " | ".join(cols + ["landmarks fps", "fit fps", "end-to-end fps"]) + " |")
    print("|" + "---|" * (len(cols) + 3))
    for r in rows:
        vals = [r[c] if isinstance(r[c], str) else (f"{r[c]:.2f}" if isinstance(r[c], float) else str(r[c])) for c in cols]
        fps = [r["frames"] / r["landmarks_s"], r["frames"] / r["fit_s"], r["frames"] / (r["landmarks_s"] + r["fit_s"])]
        print("| " + " | ".join(vals + [f"{x:.1f}" for x in fps]) + " |")
    frames = sum(r["frames"] for r in rows)
    w = np.array([r["frames"] for r in rows], float)
    avg = lambda key: float(np.nansum([r[key] * r["frames"] for r in rows]) / w.sum())  # noqa: E731
    total = sum(r["landmarks_s"] + r["fit_s"] for r in rows)
    print(f"all: {frames} frames; hand PA-MPJPE {avg('hand_pa_mm'):.1f} mm (signing hand "
          f"{avg('signing_hand_pa_mm'):.1f} mm); finger angles {avg('finger_angle_deg'):.1f} deg; "
          f"body PA-MPJPE {avg('body_pa_mm'):.1f} mm; end to end {frames / total:.1f} frames/s "
          f"(landmarks {frames / sum(r['landmarks_s'] for r in rows):.1f}, fit {frames / sum(r['fit_s'] for r in rows):.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
