"""Capture accuracy and speed on ground truth we own: render fingerspelling, capture it back, compare.

Usage::

    python bench/capture.py [--words ASL:hello ASL:world BSL:cat DGS:Hallo] [--size 512] [--backend gl]
                            [--fov 25] [--iterations 40 60] [--threads 1] [--ideal] [--signer N]
                            [--no-hand-correction] [--wrist-weight W] [--no-handshape-prior]
                            [--diagnose] [--segment] [--cache DIR]

For each word: the fingerspelled PoseSequence (``signspark.signs.spell``) is rendered with
``render_video`` (front view), MediaPipe Holistic finds the landmarks and the fit turns them into a
PoseSequence, which is compared with the one rendered, frame by frame (built-in body):

* hand PA-MPJPE (mm): 21 points per hand after a per-frame similarity Procrustes, over the frames in
  which MediaPipe saw that hand; "signing" = the hand whose wrist is raised above its elbow;
* finger angle error (degrees): geodesic distance between true and fitted rotations of the 15 finger
  joints, signing hand;
* body PA-MPJPE (mm): shoulders, elbows, wrists after a per-frame similarity Procrustes;
* frames per second end to end (landmarks + fit; rendering not counted), and each part alone;
* letters recovered: at the middle frame of every fingerspelled letter, the captured right
  (dominant) hand's shape is compared with every handshape of the language's alphabet
  (``signspark.signs.alphabets`` letters posed by ``signspark.signs.handshapes.hand_pose``) by a
  descriptor invariant to hand size and position (fingertip-to-wrist and thumb-tip-to-fingertip
  distances over the wrist-to-middle-knuckle length, and the 15 finger joint angles); a letter is
  recovered when the nearest handshape is its own (or one indistinguishable from it, such as ASL
  H and U, which differ only in orientation). The same measure on the clean clip is the ceiling
  (coarticulation blends letters a little even there). The letters missed are listed with the
  handshape they were taken for.

``--diagnose`` tells MediaPipe's share of the missed letters from the fit's: the signing hand is
fitted again with MediaPipe's image positions and the true depth, and with the true image
positions and MediaPipe's depth (the true points: our joints projected with the renderer's
camera, :func:`signspark.capture.landmarks_from_sequence`); and each letter's frame is matched
directly against the handshape inventory, no fit (the inventory hand whose points, aligned by a
similarity, lie closest to MediaPipe's in the image).

``--segment`` also runs the built-in FAST model on the clean clip's hand features and on the
captured ones (hands the capture did not see zeroed, :func:`signspark.capture.fast_input.fast_features`)
and scores both against the letters' true segments; and it measures how capture changes the hand
features (per-joint angle error split into a slow part and frame-to-frame jitter, the scale of the
finger flexion, dropped hands) - the figures behind ``CAPTURE_NOISE`` in ``train/train_fast.py``.

``--cache DIR`` keeps MediaPipe's landmarks of each rendered word (``DIR/<word>_<signer>_<size>.npz``)
so that fit settings can be compared without rendering and detecting again.

``--ideal`` skips rendering and MediaPipe and fits the landmarks our body itself gives (the fit's
own error floor; the hand correction, meant for MediaPipe's points, is off). ``--fov`` is the field of view the fit assumes (25 = the renderer's camera).
Targets: hand PA-MPJPE <= 10 mm, >= 10 frames/s at 512 px on 2 cores.
"""

from __future__ import annotations

import argparse
import os
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


SAME_SHAPE = 0.05  # descriptor distance under which two alphabet handshapes count as one (ASL H and U: 0.014)


def _hand_descriptor(pose45: np.ndarray) -> np.ndarray:
    """(D,) handshape descriptor of a right-hand MANO pose, invariant to hand size and position."""
    from signspark.signs.handshapes import hand_points

    pts = hand_points(np.asarray(pose45, np.float64), "right")
    size = np.linalg.norm(pts["middle_mcp"])
    fingers = ("thumb", "index", "middle", "ring", "pinky")
    tips = [np.linalg.norm(pts[f"{f}_tip"]) / size for f in fingers]
    pinch = [np.linalg.norm(pts["thumb_tip"] - pts[f"{f}_tip"]) / size for f in fingers[1:]]
    angles = np.linalg.norm(np.asarray(pose45, np.float64).reshape(15, 3), axis=-1)
    return np.concatenate([tips, pinch, 0.5 * angles])


def _letter_table(language: str) -> tuple[list[str], np.ndarray]:
    """The language's distinct dominant handshapes and their descriptors."""
    from signspark.signs.alphabets import get_alphabet
    from signspark.signs.handshapes import SHAPES, hand_pose

    names = sorted({letter.shape for letter in get_alphabet(language).letters.values()})
    return names, np.stack([_hand_descriptor(hand_pose(SHAPES[n], "right")) for n in names])


def letters_recovered(seq, hand_pose_right: np.ndarray, language: str) -> tuple[int, int, list[tuple[str, int, str]]]:
    """(recovered, letters, misses): is the nearest alphabet handshape at each letter's middle frame its own?

    ``misses`` holds (letter, frame, the handshape it was taken for) per letter missed.
    """
    from signspark.signs.alphabets import get_alphabet

    alphabet = get_alphabet(language)
    names, table = _letter_table(language)
    hit, misses = 0, []
    letters = seq.gloss.split()
    for (a, b), letter in zip(seq.segments.tolist(), letters):
        d = _hand_descriptor(hand_pose_right[(a + b) // 2])
        nearest = int(np.argmin(np.linalg.norm(table - d, axis=1)))
        own = names.index(alphabet[letter].shape)
        # handshapes that differ only in orientation (ASL H and U) have the same descriptor: both count
        ok = bool(np.linalg.norm(table[nearest] - table[own]) < SAME_SHAPE)
        hit += int(ok)
        if not ok:
            misses.append((letter, (a + b) // 2, names[nearest]))
    return hit, len(letters), misses


def _swap_hand_depth(lm, truth, xy_from_truth: bool):
    """Landmarks whose hands take x, y from one source and depth from the other (``truth`` and ``lm``)."""
    import dataclasses

    from signspark.capture import layout as L

    points = dict(lm.points)
    for comp in (L.LEFT_HAND, L.RIGHT_HAND):
        xy, z = (truth, lm) if xy_from_truth else (lm, truth)
        points[comp] = np.concatenate([xy.points[comp][..., :2], z.points[comp][..., 2:]], axis=-1)
    return dataclasses.replace(lm, points=points)


def _inventory_letters(seq, lm, language: str, body, fov: float) -> tuple[int, list[tuple[str, int, str]]]:
    """Letters recovered by matching the right hand's landmarks against the handshape inventory, no fit.

    Letters whose middle frame shows no right hand are missed, taken for "unseen".
    """
    import math

    from signspark.capture import layout as L
    from signspark.capture.fit import _normalised
    from signspark.capture.hand_fit import HandModel, nearest_handshape
    from signspark.capture.inventory import inventory_poses
    from signspark.capture.skeleton import skeleton_for

    inventory = inventory_poses()
    middle = np.array([(a + b) // 2 for a, b in seq.segments.tolist()])
    seen = lm.present(L.RIGHT_HAND)[middle]
    f = 0.5 * lm.height / math.tan(math.radians(fov) / 2)
    q = _normalised(lm.points[L.RIGHT_HAND][middle[seen]], lm.width, lm.height, f)
    w = torch.as_tensor(lm.confidence[L.RIGHT_HAND][middle[seen]])
    poses = np.zeros((seq.num_frames, 45), np.float32)
    poses[middle[seen]] = inventory[nearest_handshape(HandModel(skeleton_for(body)), q, w, inventory)].reshape(-1, 45)
    _, _, misses = letters_recovered(seq, poses, language)
    unseen = set(middle[~seen].tolist())
    misses = [m for m in misses if m[1] not in unseen] + \
        [(x, int(m), "unseen") for x, m in zip(seq.gloss.split(), middle) if m in unseen]
    return len(middle) - len(misses), misses


def _rotations(features: np.ndarray) -> torch.Tensor:
    """(T, 96) hand features -> (T, 16, 3, 3) rotations (15 finger joints, then the wrist)."""
    from signspark.pose.rotations import rot6d_to_matrix

    return rot6d_to_matrix(torch.as_tensor(features, dtype=torch.float64).reshape(-1, 16, 6))


def feature_noise(clean: np.ndarray, captured: np.ndarray) -> dict:
    """How capture changed (T, 192) hand features: angle errors, jitter, flexion scale, dropped hands.

    Returns sums over hands and frames (combine clips with :func:`_noise_summary`).
    """
    from signspark.capture.gaps import runs
    from signspark.pose.rotations import matrix_to_axis_angle

    out = {"frames": 0, "dropped": 0, "drop_runs": 0, "n": 0, "sq_fingers": 0.0, "sq_wrist": 0.0,
           "sq_jitter_fingers": 0.0, "n_jitter": 0, "flex_cg": 0.0, "flex_gg": 0.0, "abs_fingers": 0.0}
    for h in range(2):
        c, g = clean[:, 96 * h:96 * h + 96], captured[:, 96 * h:96 * h + 96]
        seen = np.abs(g).sum(1) > 0
        out["frames"] += len(seen)
        out["dropped"] += int((~seen).sum())
        out["drop_runs"] += len(runs(~seen))
        if seen.sum() < 3:
            continue
        Rc, Rg = _rotations(c[seen]), _rotations(g[seen])
        err = matrix_to_axis_angle(Rc.transpose(-1, -2) @ Rg).numpy()  # (N, 16, 3) radians
        out["n"] += len(err)
        out["sq_fingers"] += float((err[:, :15] ** 2).sum())
        out["abs_fingers"] += float(np.linalg.norm(err[:, :15], axis=-1).sum())
        out["sq_wrist"] += float((err[:, 15] ** 2).sum())
        consecutive = np.flatnonzero(np.diff(np.flatnonzero(seen)) == 1)
        d2 = err[2:] - 2 * err[1:-1] + err[:-2]
        ok = np.intersect1d(consecutive[:-1], consecutive - 1) if len(consecutive) > 1 else np.array([], int)
        if len(ok):
            out["sq_jitter_fingers"] += float((d2[ok, :15] ** 2).sum())
            out["n_jitter"] += len(ok)
        ac = np.linalg.norm(matrix_to_axis_angle(Rc[:, :15]).numpy(), axis=-1)
        ag = np.linalg.norm(matrix_to_axis_angle(Rg[:, :15]).numpy(), axis=-1)
        out["flex_cg"] += float((ac * ag).sum())
        out["flex_gg"] += float((ac * ac).sum())
    return out


def _noise_summary(parts: list[dict]) -> dict:
    tot = {k: sum(p[k] for p in parts) for k in parts[0]}
    comps = 3 * 15 * max(tot["n"], 1)
    per_axis = (tot["sq_fingers"] / comps) ** 0.5
    jitter = ((tot["sq_jitter_fingers"] / max(3 * 15 * tot["n_jitter"], 1)) ** 0.5) / 6 ** 0.5
    return {
        "finger_angle_error_deg": float(np.degrees(tot["abs_fingers"] / max(15 * tot["n"], 1))),
        "finger_axis_sigma_deg": float(np.degrees(per_axis)),
        "finger_jitter_sigma_deg": float(np.degrees(jitter)),
        "finger_slow_sigma_deg": float(np.degrees(max(per_axis ** 2 - jitter ** 2, 0.0) ** 0.5)),
        "wrist_axis_sigma_deg": float(np.degrees((tot["sq_wrist"] / (3 * max(tot["n"], 1))) ** 0.5)),
        "flexion_scale": float(tot["flex_cg"] / max(tot["flex_gg"], 1e-9)),
        "dropped_fraction": float(tot["dropped"] / max(tot["frames"], 1)),
        "dropped_run_frames": float(tot["dropped"] / max(tot["drop_runs"], 1)),
    }


def _detect_cached(video: Path, cache: Path | None, key: str):
    from signspark.capture import Landmarks, detect_landmarks

    if cache is not None and (cache / f"{key}.npz").is_file():
        with np.load(cache / f"{key}.npz") as z:
            comps = [k[len("points:"):] for k in z.files if k.startswith("points:")]
            return Landmarks(points={c: z[f"points:{c}"] for c in comps},
                             confidence={c: z[f"conf:{c}"] for c in comps},
                             width=int(z["size"][0]), height=int(z["size"][1]), fps=float(z["fps"]),
                             world=z["world"], source=key), True
    lm = detect_landmarks(video)
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        arrays = {f"points:{c}": v for c, v in lm.points.items()}
        arrays.update({f"conf:{c}": v for c, v in lm.confidence.items()})
        np.savez(cache / f"{key}.npz", size=np.array([lm.width, lm.height]), fps=np.array(lm.fps),
                 world=lm.world, **arrays)
    return lm, False


def evaluate(word: str, args, body, workdir: Path) -> dict:
    from signspark.body.joints import JOINT_INDEX, hand_joint_indices
    from signspark.capture import FitOptions, fit_landmarks, landmarks_from_sequence
    from signspark.capture import layout as L
    from signspark.signs import spell
    from signspark.render import RenderOptions, render_video

    lang, text = word.split(":", 1)
    seq = spell(text, lang, signer=args.signer)
    t0 = time.perf_counter()
    if args.ideal:
        lm, _ = landmarks_from_sequence(seq, body_model=body, size=args.size)
        cached = False
    else:
        key = f"{lang}_{text}_{args.signer if args.signer is not None else 'default'}_{args.size}_{args.backend}"
        video = workdir / f"{lang}_{text}.mp4"
        if args.cache is None or not (args.cache / f"{key}.npz").is_file():
            render_video(seq, video, RenderOptions(backend=args.backend, size=args.size, highlight_keyframes=False),
                         body_model=body)
        t0 = time.perf_counter()
        lm, cached = _detect_cached(video, args.cache, key)
    t1 = time.perf_counter()
    hit, bit = args.iterations
    opts = FitOptions(fov_y=args.fov, hand_iterations=hit, body_iterations=bit,
                      hand_correction=not (args.no_hand_correction or args.ideal),
                      wrist_weight=args.wrist_weight, handshape_prior=not args.no_handshape_prior)
    res = fit_landmarks(lm, opts, body_model=body)
    t2 = time.perf_counter()
    with torch.no_grad():
        gt, out = body(seq).joints, body(res.sequence).joints
    row = {"word": word, "frames": seq.num_frames, "landmarks_s": t1 - t0, "fit_s": t2 - t1, "cached": cached}
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
    row["letters_hit"], row["letters"], row["misses"] = letters_recovered(seq, res.sequence.params["right_hand_pose"],
                                                                          lang)
    row["letters_clean_hit"], _, _ = letters_recovered(seq, seq.params["right_hand_pose"], lang)
    if args.diagnose and not args.ideal:
        import dataclasses

        from signspark.capture.hand_correction import correct_hand_landmarks

        truth, _ = landmarks_from_sequence(seq, body_model=body, size=args.size)
        detected = correct_hand_landmarks(lm) if opts.hand_correction else lm
        plain = dataclasses.replace(opts, hand_correction=False)  # corrected already; the truth needs none
        for key, xy_true in (("mp_xy_true_depth", False), ("true_xy_mp_depth", True)):
            swapped = fit_landmarks(_swap_hand_depth(detected, truth, xy_true), plain, body_model=body)
            row[key], _, row[key + "_misses"] = letters_recovered(seq, swapped.sequence.params["right_hand_pose"], lang)
        row["inventory"], row["inventory_misses"] = _inventory_letters(seq, detected, lang, body, args.fov)
    if args.segment:
        from signspark.capture.fast_input import fast_features
        from signspark.keyframes import segments_to_tags
        from signspark.pose.hand_features import hand_features

        left, right = hand_features(seq)
        row["clean_features"] = np.concatenate([left, right], axis=1)
        row["captured_features"] = fast_features(res)
        row["true_tags"] = segments_to_tags(seq.segments, seq.num_frames)
    return row


def _misses(rows: list[dict], key: str) -> str:
    text = "; ".join(f"{r['word']} " + ", ".join(f"{x}@{t}->{n}" for x, t, n in r[key]) for r in rows if r[key])
    return text or "none"


def segment_report(rows: list[dict], model: str | None = None) -> None:
    """FAST (``model``: a folder, default the built-in) on clean and on captured features, and the
    measured feature noise."""
    import json

    from signspark.segment import Segmenter
    from signspark.segment.metrics import score_clips

    seg = Segmenter.from_pretrained(model)
    for name in ("clean", "captured"):
        clips = {r["word"]: r[f"{name}_features"] for r in rows}
        result = seg.segment(clips)
        scores = score_clips((result[r["word"]].tags, r["true_tags"]) for r in rows)
        print(f"FAST ({model or 'built-in'}) on {name} features: frame accuracy {scores.frame_accuracy:.3f}, onset F1 (±2) "
              f"{scores.onset_f1:.3f}, segment F1 (IoU ≥ 0.5) {scores.segment_f1:.3f} "
              f"({scores.num_clips} clips, {scores.num_frames} frames)")
    noise = _noise_summary([feature_noise(r["clean_features"], r["captured_features"]) for r in rows])
    print("capture noise of the hand features: " + json.dumps({k: round(v, 3) for k, v in noise.items()}))


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
    ap.add_argument("--signer", type=int, help="a simulated signer (signspark.signs.sample_signer seed; "
                                               "default: the neutral signer)")
    ap.add_argument("--no-hand-correction", action="store_true", help="fit MediaPipe's hand points uncorrected")
    ap.add_argument("--wrist-weight", type=float, default=0.3, help="weight of MediaPipe's wrist point in the fit")
    ap.add_argument("--no-handshape-prior", action="store_true",
                    help="start the hands from the landmark directions, not from the handshape inventory")
    ap.add_argument("--diagnose", action="store_true",
                    help="also fit with true depth / true image positions, and match letters without a fit")
    ap.add_argument("--segment", action="store_true", help="also score FAST on clean and captured features")
    ap.add_argument("--fast-model", metavar="DIR", help="the FAST model --segment scores (default: the built-in)")
    ap.add_argument("--cache", type=Path, help="keep MediaPipe's landmarks here and reuse them")
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
          f"{args.threads} thread(s), signer {args.signer if args.signer is not None else 'default'}, hand correction "
          f"{'off' if args.no_hand_correction or args.ideal else 'on'}, wrist weight {args.wrist_weight:g}, "
          f"handshape prior {'off' if args.no_handshape_prior else 'on'}")
    cols = ["word", "frames", "left_seen", "right_seen", "hand_pa_mm", "signing_hand_pa_mm", "finger_angle_deg",
            "body_pa_mm", "reprojection_px"]
    print("| " + " | ".join(cols + ["letters", "landmarks fps", "fit fps", "end-to-end fps"]) + " |")
    print("|" + "---|" * (len(cols) + 4))
    for r in rows:
        vals = [r[c] if isinstance(r[c], str) else (f"{r[c]:.2f}" if isinstance(r[c], float) else str(r[c])) for c in cols]
        fps = [r["frames"] / r["landmarks_s"], r["frames"] / r["fit_s"], r["frames"] / (r["landmarks_s"] + r["fit_s"])]
        lm_fps = "cached" if r["cached"] else f"{fps[0]:.1f}"
        e2e = "-" if r["cached"] else f"{fps[2]:.1f}"
        print("| " + " | ".join(vals + [f"{r['letters_hit']}/{r['letters']}", lm_fps, f"{fps[1]:.1f}", e2e]) + " |")
    frames = sum(r["frames"] for r in rows)
    w = np.array([r["frames"] for r in rows], float)
    avg = lambda key: float(np.nansum([r[key] * r["frames"] for r in rows]) / w.sum())  # noqa: E731
    fit_fps = frames / sum(r["fit_s"] for r in rows)
    live = [r for r in rows if not r["cached"]]
    speed = (f"end to end {sum(r['frames'] for r in live) / sum(r['landmarks_s'] + r['fit_s'] for r in live):.1f} "
             f"frames/s (landmarks {sum(r['frames'] for r in live) / sum(r['landmarks_s'] for r in live):.1f}, "
             f"fit {fit_fps:.1f})" if live else f"fit {fit_fps:.1f} frames/s (landmarks cached)")
    letters, hit, clean = (sum(r[k] for r in rows) for k in ("letters", "letters_hit", "letters_clean_hit"))
    print(f"all: {frames} frames; hand PA-MPJPE {avg('hand_pa_mm'):.1f} mm (signing hand "
          f"{avg('signing_hand_pa_mm'):.1f} mm); finger angles {avg('finger_angle_deg'):.1f} deg; "
          f"body PA-MPJPE {avg('body_pa_mm'):.1f} mm; {speed}")
    print(f"letters recovered: {hit}/{letters} ({100 * hit / max(letters, 1):.0f}%; the clean clip: "
          f"{clean}/{letters}, {100 * clean / max(letters, 1):.0f}%)")
    print(f"letters missed (letter@frame->taken for): {_misses(rows, 'misses')}")
    if args.diagnose and not args.ideal:
        for key, what in (("mp_xy_true_depth", "MediaPipe's x, y with the true depth"),
                          ("true_xy_mp_depth", "the true x, y with MediaPipe's depth"),
                          ("inventory", "MediaPipe's hand matched to the inventory, no fit")):
            n = sum(r[key] for r in rows)
            print(f"  letters from {what}: {n}/{letters} ({100 * n / max(letters, 1):.0f}%); "
                  f"missed: {_misses(rows, key + '_misses')}")
    if args.segment:
        segment_report(rows, args.fast_model)
    try:
        load = os.getloadavg()
        print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
