"""The handshape inventory the hand fit starts from, and what it buys when the hand's depth is poor."""

import dataclasses

import numpy as np
import pytest
import torch

from signspark.capture import layout as L


def _geodesic_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(...,) mean geodesic angle between two (..., 45) MANO poses, degrees."""
    from signspark.pose.rotations import axis_angle_to_matrix

    Ra = axis_angle_to_matrix(torch.as_tensor(a, dtype=torch.float64).reshape(-1, 15, 3))
    Rb = axis_angle_to_matrix(torch.as_tensor(b, dtype=torch.float64).reshape(-1, 15, 3))
    cos = ((torch.einsum("njab,njab->nj", Ra, Rb) - 1) / 2).clamp(-1, 1)
    return torch.rad2deg(torch.acos(cos)).mean(-1).numpy()


def _nearest_letters(seq, right_hand_pose: np.ndarray, language: str) -> list[tuple[str, str, str]]:
    """(letter, its handshape, the alphabet handshape nearest to the pose at the letter's middle frame)."""
    from signspark.signs.alphabets import get_alphabet
    from signspark.signs.handshapes import SHAPES, hand_pose

    alphabet = get_alphabet(language)
    names = sorted({letter.shape for letter in alphabet.letters.values()})
    table = np.stack([hand_pose(SHAPES[n], "right") for n in names])
    out = []
    for (a, b), letter in zip(seq.segments.tolist(), seq.gloss.split()):
        pose = right_hand_pose[(a + b) // 2]
        out.append((letter, alphabet[letter].shape, names[int(np.argmin(_geodesic_deg(table, pose[None])))]))
    return out


def _flattened(lm, depth_scale: float, noise_px: float, seed: int = 0):
    """The hands' depth scaled (MediaPipe's hand depth is about 0.6 of the true one) and image noise added."""
    rng = np.random.default_rng(seed)
    points = dict(lm.points)
    for comp in (L.LEFT_HAND, L.RIGHT_HAND):
        p = points[comp].copy()
        p[..., 2] *= depth_scale
        p[..., :2] += rng.normal(0.0, noise_px, p[..., :2].shape)
        points[comp] = p.astype(np.float32)
    return dataclasses.replace(lm, points=points)


def test_inventory_table_matches_the_handshapes():
    from signspark.capture.inventory import handshape_inventory
    from signspark.signs.handshapes import SHAPES, hand_pose

    names, poses = handshape_inventory()
    assert names == list(SHAPES), "the inventory table is stale: python -m signspark.capture.inventory"
    assert poses.shape == (len(SHAPES), 15, 3) and poses.dtype == torch.float32
    stale = "the inventory table is stale: python -m signspark.capture.inventory"
    for name, pose in zip(names, poses):
        np.testing.assert_allclose(pose.reshape(45).numpy(), hand_pose(SHAPES[name], "right"), atol=1e-4,
                                   err_msg=f"{name}: {stale}")


def test_nearest_handshape_finds_a_turned_scaled_hand(body):
    from signspark.capture.hand_fit import HandModel, nearest_handshape
    from signspark.capture.inventory import handshape_inventory
    from signspark.capture.skeleton import rodrigues, skeleton_for

    names, poses = handshape_inventory()
    model = HandModel(skeleton_for(body))
    picks = [names.index(n) for n in ("c", "index_thumb_out", "w", "o", "fist_thumb_side", "open_5")]
    with torch.no_grad():
        pts = model.forward(poses[picks])  # (6, 21, 3) metres, wrist at the origin
    g = torch.Generator().manual_seed(0)
    R = rodrigues(torch.randn(len(picks), 3, generator=g))
    target = 37.0 * pts @ R.transpose(1, 2) + torch.randn(len(picks), 1, 3, generator=g)
    got = nearest_handshape(model, target, torch.ones(len(picks), 21), poses)
    assert [names[i] for i in got.tolist()] == [names[i] for i in picks]


@pytest.mark.parametrize("language, word", [("ASL", "cow"), ("DGS", "Hallo")])
def test_fit_recovers_the_letters_when_the_hand_depth_is_flat(language, word, body):
    """Regression: with MediaPipe-like flat hand depth the analytic start bent fingers the wrong way."""
    from signspark.capture import FitOptions, fit_landmarks, landmarks_from_sequence
    from signspark.signs import spell

    seq = spell(word, language)
    lm, _ = landmarks_from_sequence(seq, body_model=body, size=384)
    flat = _flattened(lm, depth_scale=0.6, noise_px=0.7)
    mids = [(a + b) // 2 for a, b in seq.segments.tolist()]
    err = {}
    for prior in (True, False):
        opts = FitOptions(fov_y=25.0, hand_correction=False, handshape_prior=prior, body_iterations=5)
        pose = fit_landmarks(flat, opts, body_model=body).sequence.params["right_hand_pose"]
        err[prior] = float(_geodesic_deg(seq.params["right_hand_pose"][mids], pose[mids]).mean())
        if prior:
            for letter, own, nearest in _nearest_letters(seq, pose, language):
                assert nearest == own, f"{language} {letter}: fitted hand nearest to {nearest}, not {own}"
    assert err[True] < 4.0 and err[True] < 0.5 * err[False], err


def test_resting_hand_is_not_pulled_to_the_inventory(ideal_landmarks, body):
    from signspark.capture import FitOptions, fit_landmarks

    low = ideal_landmarks.points[L.POSE][:, 15, 1] > ideal_landmarks.points[L.POSE][:, 13, 1]
    assert low.all()  # the fixture's left hand hangs by the side
    fits = [fit_landmarks(ideal_landmarks, FitOptions(fov_y=25.0, hand_correction=False, handshape_prior=p,
                                                      hand_iterations=10, body_iterations=2), body_model=body)
            for p in (True, False)]
    a, b = (f.sequence.params["left_hand_pose"] for f in fits)
    np.testing.assert_allclose(a, b, atol=1e-5)


def test_without_iterations_a_raised_hand_is_an_inventory_hand(ideal_landmarks, body):
    from signspark.capture import FitOptions, fit_landmarks
    from signspark.capture.inventory import handshape_inventory

    _, poses = handshape_inventory()
    res = fit_landmarks(ideal_landmarks, FitOptions(fov_y=25.0, hand_correction=False, hand_iterations=0,
                                                    body_iterations=0), body_model=body)
    pose = ideal_landmarks.points[L.POSE]
    raised = pose[:, 16, 1] <= pose[:, 14, 1]  # right wrist at or above the right elbow (image y down)
    assert raised.sum() >= 6
    right = torch.as_tensor(res.sequence.params["right_hand_pose"][raised]).view(-1, 1, 45)
    assert float((right - poses.view(1, -1, 45)).abs().amax(-1).amin(-1).max()) < 1e-5


def test_negative_anchor_is_refused():
    from signspark.capture import FitOptions

    with pytest.raises(ValueError, match="hand_anchor"):
        FitOptions(hand_anchor=-1.0).check()
