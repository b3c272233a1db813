"""Timing and motion: signs -> a frame-by-frame SMPL-X pose with sign segments.

A take is laid out on a frame grid (25 fps by default):

    rest hold | move into signing space | sign 1 hold | transition | sign 2 hold | ... | back to rest | rest hold

Signs come from a :class:`~signspark.signs.lexicon.Lexicon` (a manual alphabet's letters or
lexical signs) as :class:`~signspark.signs.lexicon.SignForm` key poses.

* Each sign gets ``1 / rate`` seconds (the signer's rate, times ``speed``,
  with per-letter jitter); a fraction ``hold`` of it is spent holding the
  letter (its segment), the rest moving to the next one (tag 0). Holds and
  transitions are at least one frame, so letters never merge into one segment;
  a hold of three frames or more holds the exact letter over its middle.
  Moving letters (J, Z, umlaut shakes) take longer and trace their key poses.
* A sign whose form asks for it (``SignForm.hold_keys``: lexical signs with a path) has every key pose
  on a whole frame of its hold, exactly as given (no coarticulation blend); those frames are listed in
  :attr:`Motion.key_frames` so the take can hold them as keyframes.
* Slower than natural (``speed`` < 1, for learners) the holds grow and the
  transitions stretch only with ``1/sqrt(speed)``; a take longer than
  :data:`MAX_CLIP_FRAMES` is refused before it is built.
* A doubled letter (the LL of HELLO) is signed twice: a one-handed letter slides
  sideways between its two holds, a two-handed one makes a small bounce.
* A word gap (:data:`PAUSE`) inserts a short relaxed hold between words; a
  punctuation pause (:data:`STOP`) a longer one with the hand lowered a little.
* Between key poses every joint rotation follows a minimum-jerk profile
  (quaternion blend). Coarticulation: a hold already leans a little toward the
  next letter and keeps a trace of the previous one, and the fingers lead the
  arm by a fraction of a frame.
* Slow, smooth jitter (the signer's ``jitter`` degrees) is composed onto every
  joint so no two takes are identical.

:func:`build_motion` returns the per-frame arrays and the inclusive segments.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.ndimage import gaussian_filter1d

from .kinematics import forward, pose_vector
from .lexicon import Lexicon
from .placement import NUM_JOINTS, letter_hand_pose, rest_keypose
from .signers import Signer
from .text_to_letters import PAUSE, STOP, is_pause

__all__ = ["Motion", "build_motion", "min_jerk", "arm_travel_seconds", "PEAK_WRIST_SPEED", "FPS", "MAX_CLIP_FRAMES",
           "rotvec_to_quat", "quat_to_rotvec", "quat_mul", "PAUSE", "STOP"]

FPS = 25.0
MAX_CLIP_FRAMES = 1024  # the longest clip the generation pipeline takes (signspark.pipeline.MAX_FRAMES)
# Peak wrist speed of a movement between signs (m/s). With the minimum-jerk profile the peak is 1.875 x the
# mean speed, so a wrist path of d metres lasts at least 1.875 d / PEAK_WRIST_SPEED: raising the hand from
# rest to the face (a path of about 0.8 m) takes about 0.8 s, not the 0.3 s of a letter-to-letter
# transition (which would peak near 4 m/s).
PEAK_WRIST_SPEED = 1.8
WRIST_JOINTS = (20, 21)  # SMPL-X left and right wrist


@dataclasses.dataclass
class Motion:
    """A built take.

    Attributes:
        body_pose: (T, 63) axis-angle.
        left_hand_pose, right_hand_pose: (T, 45).
        segments: (S, 2) inclusive letter holds.
        letters: S letter names, one per segment.
        key_frames: (K,) sorted frames where a ``hold_keys`` sign has one of its key poses (empty when
            no sign asks for it).
    """

    body_pose: np.ndarray
    left_hand_pose: np.ndarray
    right_hand_pose: np.ndarray
    segments: np.ndarray
    letters: list[str]
    key_frames: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def num_frames(self) -> int:
        return int(self.body_pose.shape[0])


def min_jerk(t: np.ndarray) -> np.ndarray:
    """Minimum-jerk profile 10t^3 - 15t^4 + 6t^5 on [0, 1]."""
    t = np.clip(t, 0.0, 1.0)
    return t * t * t * (10 + t * (-15 + 6 * t))


def rotvec_to_quat(rv: np.ndarray) -> np.ndarray:
    """(..., 3) axis-angle -> (..., 4) unit quaternions (x, y, z, w)."""
    rv = np.asarray(rv, np.float64)
    angle = np.linalg.norm(rv, axis=-1, keepdims=True)
    half = 0.5 * angle
    # sin(half)/angle, with its limit 1/2 at zero
    k = np.where(angle > 1e-8, np.sin(half) / np.maximum(angle, 1e-12), 0.5 - angle ** 2 / 48.0)
    return np.concatenate([rv * k, np.cos(half)], axis=-1)


def quat_to_rotvec(q: np.ndarray) -> np.ndarray:
    """(..., 4) quaternions (x, y, z, w) -> (..., 3) axis-angle with angle in [0, pi]."""
    q = np.where(q[..., 3:] < 0, -q, q)
    v = q[..., :3]
    s = np.linalg.norm(v, axis=-1, keepdims=True)
    angle = 2.0 * np.arctan2(s, q[..., 3:])
    k = np.where(s > 1e-8, angle / np.maximum(s, 1e-12), 2.0 / np.maximum(q[..., 3:], 1e-12))
    return v * k


def quat_mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamilton product of (..., 4) quaternions (x, y, z, w)."""
    ax, ay, az, aw = np.moveaxis(a, -1, 0)
    bx, by, bz, bw = np.moveaxis(b, -1, 0)
    return np.stack([
        aw * bx + ax * bw + ay * bz - az * by,
        aw * by - ax * bz + ay * bw + az * bx,
        aw * bz + ax * by - ay * bx + az * bw,
        aw * bw - ax * bx - ay * by - az * bz,
    ], axis=-1)


def _quats(poses: np.ndarray) -> np.ndarray:
    """(K, J, 3) axis-angle -> (K, J, 4) quaternions (x, y, z, w), sign-continuous along K."""
    K = poses.shape[0]
    q = rotvec_to_quat(poses)
    for k in range(1, K):
        flip = (q[k] * q[k - 1]).sum(-1) < 0
        q[k][flip] *= -1
    return q


def _interpolate(frames: np.ndarray, quats: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Minimum-jerk blend between keys at (sorted) ``frames``; returns (len(query), J, 4)."""
    query = np.clip(query, frames[0], frames[-1])
    idx = np.clip(np.searchsorted(frames, query, side="right") - 1, 0, len(frames) - 2)
    span = np.maximum(frames[idx + 1] - frames[idx], 1e-9)
    w = min_jerk((query - frames[idx]) / span)[:, None, None]
    q = (1 - w) * quats[idx] + w * quats[idx + 1]
    return q / np.linalg.norm(q, axis=-1, keepdims=True)


def _blend_hands(a: np.ndarray, b: np.ndarray, w: float) -> np.ndarray:
    """Blend the hand joints (21..50) of pose a toward pose b by w (axis-angle, small differences)."""
    out = np.array(a, np.float64)
    out[21:] = (1 - w) * a[21:] + w * b[21:]
    return out


def _blend_all(a: np.ndarray, b: np.ndarray, w: float) -> np.ndarray:
    qa_, qb_ = rotvec_to_quat(a), rotvec_to_quat(b)
    qb_ = np.where(((qa_ * qb_).sum(-1) < 0)[..., None], -qb_, qb_)
    q = (1 - w) * qa_ + w * qb_
    return quat_to_rotvec(q / np.linalg.norm(q, axis=-1, keepdims=True))


class _Frames:
    """Turns durations in seconds into whole frames, carrying the rounding error forward."""

    def __init__(self, fps: float):
        self.fps = fps
        self.carry = 0.0

    def __call__(self, seconds: float, minimum: int = 1) -> int:
        exact = seconds * self.fps + self.carry
        n = max(minimum, int(round(exact)))
        self.carry = exact - n
        return n


def arm_travel_seconds(a: np.ndarray, b: np.ndarray, samples: int = 9) -> float:
    """Shortest natural time (s) to move from key pose ``a`` to ``b`` ((51, 3) axis-angle: 21 body
    joints, then the left and the right hand): the longer of the two wrists' paths (the joint rotations
    blended as :func:`build_motion` blends them, forward kinematics on the built-in skeleton, ``samples``
    points) at :data:`PEAK_WRIST_SPEED`."""
    q = _quats(np.stack([np.asarray(a, np.float64), np.asarray(b, np.float64)]))
    s = np.linspace(0.0, 1.0, samples)[:, None, None]
    path = (1 - s) * q[0] + s * q[1]
    poses = quat_to_rotvec(path / np.linalg.norm(path, axis=-1, keepdims=True))
    full = pose_vector(body_pose=poses[:, :21], left_hand_pose=poses[:, 21:36], right_hand_pose=poses[:, 36:51])
    wrists = forward(full)[0][:, list(WRIST_JOINTS)]
    length = np.linalg.norm(np.diff(wrists, axis=0), axis=-1).sum(axis=0).max()
    return float(1.875 * length / PEAK_WRIST_SPEED)


def _letter_times(tau: float, hold: float, speed: float) -> tuple[float, float]:
    """Hold and transition seconds of one letter.

    ``tau`` is the letter's time at speed 1 and ``hold`` the fraction of it held. Faster
    than natural (``speed`` >= 1) both shrink with the letter. Slower than natural, the
    transitions stretch only with ``1 / sqrt(speed)`` (a movement played in slow motion
    looks wrong) and the holds take the rest of the letter's ``tau / speed``: a learner
    sees each handshape longer, moved between at a natural pace.
    """
    if speed >= 1.0:
        return tau * hold / speed, tau * (1.0 - hold) / speed
    trans = tau * (1.0 - hold) / np.sqrt(speed)
    return tau / speed - trans, trans


def build_motion(tokens: list[str], lexicon: Lexicon, signer: Signer, rng: np.random.Generator,
                 speed: float = 1.0, fps: float = FPS, max_frames: int | None = MAX_CLIP_FRAMES) -> Motion:
    """Lay out and interpolate a take of ``tokens`` (sign names of ``lexicon``, :data:`PAUSE` and :data:`STOP`).

    Args:
        tokens: output of ``lexicon.tokens(text)``.
        lexicon: where each sign's key poses come from.
        signer: who signs (timing, placement, jitter).
        rng: randomness for timing jitter and pose noise (seeded by the caller).
        speed: multiplies the signer's letter rate (1 = natural; below 1 the holds grow most,
            see :func:`_letter_times`).
        fps: frames per second.
        max_frames: the longest take allowed (None: no limit); checked on the layout, before
            any per-frame array is made.

    Raises:
        ValueError: a bad ``speed``, no signs among the tokens, or a take longer than
            ``max_frames`` (the message names ``speed``).
    """
    if not (isinstance(speed, (int, float, np.floating, np.integer)) and np.isfinite(speed) and speed > 0):
        raise ValueError(f"speed must be a positive number (1 = natural, 0.5 = half as fast), got {speed!r}")
    speed = float(speed)
    letters_only = [t for t in tokens if not is_pause(t)]
    if not letters_only:
        raise ValueError("nothing to sign: no signs among the tokens")
    rest = rest_keypose(signer)
    to_frames = _Frames(fps)
    rate = signer.rate * float(rng.uniform(0.9, 1.1))
    coart = signer.coarticulation
    slow = max(speed, 0.1) ** -0.5      # how much movements (rise, pauses, lowering) stretch when slowed

    # resolve letters to key poses; a repeated letter alternates its variant (slides back and forth)
    items: list[tuple[str, tuple, float, bool]] = []
    exact: set[int] = set()   # items whose key poses are held exactly, each on a frame (SignForm.hold_keys)
    prev, repeat = None, 0
    for tok in tokens:
        if is_pause(tok):
            items.append((tok, (), 1.0, False))
            prev, repeat = None, 0
            continue
        repeat = repeat + 1 if tok == prev else 0
        form = lexicon.form(tok, signer, repeat % 2)
        if form.hold_keys and len(form.keys) > 1:
            exact.add(len(items))
        items.append((form.label, form.keys, form.duration, repeat > 0))
        prev = tok

    key_frames: list[float] = []
    key_poses: list[np.ndarray] = []
    held: list[int] = []
    segments: list[tuple[int, int]] = []
    seg_letters: list[str] = []

    def add(frame: float, pose: np.ndarray) -> None:
        if key_frames and frame <= key_frames[-1]:
            frame = key_frames[-1] + 1e-3
        key_frames.append(frame)
        key_poses.append(np.asarray(pose, np.float64))

    letter_items = [(i, it) for i, it in enumerate(items) if not is_pause(it[0])]
    # movements of the whole arm last at least arm_travel_seconds, scaled like the other movements
    pace = min(slow, 2.0) / max(speed, 1.0) ** 0.5

    def travel(a, b) -> float:
        return arm_travel_seconds(a, b) * pace

    f = 0
    add(0, rest)
    f += to_frames(rng.uniform(0.25, 0.5), minimum=2)
    add(f - 1, rest)
    first_pose = letter_items[0][1][1][0][1]
    f += to_frames(max(rng.uniform(0.3, 0.45) * pace, travel(rest, first_pose)), minimum=3)  # rise into space

    for n, (i, (name, keys, duration, repeated)) in enumerate(letter_items):
        tau = float(rng.uniform(0.85, 1.15)) / rate * duration
        hold_s, trans_s = _letter_times(tau, signer.hold, speed)
        hold = to_frames(hold_s, minimum=len(keys) if i in exact else max(2, min(len(keys), 4)))
        start, end = f, f + hold - 1
        if i in exact:
            # every key pose on its own whole frame, as given: the take holds them as keyframes
            frames_k = np.round(start + np.array([u for u, _ in keys]) * (end - start)).astype(np.int64)
            for k in range(1, len(frames_k)):
                frames_k[k] = max(frames_k[k], frames_k[k - 1] + 1)
            frames_k = np.minimum(frames_k, end - (len(frames_k) - 1 - np.arange(len(frames_k))))
            for fk, (_, pose) in zip(frames_k, keys):
                add(float(fk), pose)
                held.append(int(fk))
            segments.append((start, end))
            seg_letters.append(name)
            f = end + 1
            following = items[i + 1][0] if i + 1 < len(items) else None
            paused = 0
            if following is not None and is_pause(following) and n + 1 < len(letter_items):
                paused = to_frames(rng.uniform(0.55, 0.8) if following == STOP else rng.uniform(0.25, 0.45),
                                   minimum=3)
                f += paused
            if n + 1 < len(letter_items):  # the pause (no key pose in it) is part of the movement
                need = travel(keys[-1][1], letter_items[n + 1][1][1][0][1]) - paused / fps
                f += to_frames(max(trans_s, need), minimum=2)
            continue
        nxt = letter_items[n + 1][1][1][0][1] if n + 1 < len(letter_items) else None
        prv = key_poses[-1]
        if repeated and len(keys) == 1 and np.array_equal(keys[0][1], items[letter_items[n - 1][0]][1][-1][1]):
            # a doubled letter that does not slide (two-handed): a small bounce between the two holds
            bounce = np.array(prv)
            bounce[:21] = _blend_all(prv[:21], rest[:21], 0.12)
            add(start - 0.5 * (start - key_frames[-1]), bounce)
        for k, (u, pose) in enumerate(keys):
            p = np.array(pose, np.float64)
            if k == 0 and n > 0:
                p = _blend_hands(p, prv, 0.5 * coart)
            if len(keys) == 1:
                add(start, p)
                if hold >= 3:
                    # a clear hold: the letter itself, unblended, over the middle of its hold (the hands
                    # lead the arm by under a frame, so a short plateau is made 0.6 frame longer)
                    margin = max(1, hold // 5)
                    add(start + margin, pose)
                    add(max(end - margin, start + margin + 0.6), pose)
                if hold > 1:
                    q_end = np.array(pose, np.float64)
                    if nxt is not None:
                        q_end = _blend_hands(_blend_all(q_end, nxt, 0.35 * coart), nxt, coart)
                    add(end, q_end)
                continue
            if k == len(keys) - 1 and nxt is not None:
                p = _blend_hands(p, nxt, coart)
            add(start + u * (end - start), p)
        segments.append((start, end))
        seg_letters.append(name)
        f = end + 1
        following = items[i + 1][0] if i + 1 < len(items) else None
        paused = 0
        if following is not None and is_pause(following) and n + 1 < len(letter_items):
            # between words the hand relaxes a little; at punctuation it relaxes and drops, and waits
            stop = following == STOP
            lo, hi = (0.55, 0.8) if stop else (0.25, 0.45)
            gap = to_frames(rng.uniform(lo, hi) * slow, minimum=3)
            relaxed = np.array(key_poses[-1])
            relaxed[21:36] = 0.5 * relaxed[21:36] + 0.5 * letter_hand_pose("relaxed", "left").reshape(15, 3)
            w = 0.6 if stop else 0.4
            relaxed[36:] = (1 - w) * relaxed[36:] + w * letter_hand_pose("relaxed", "right").reshape(15, 3)
            if stop:
                relaxed[:21] = _blend_all(relaxed[:21], rest[:21], 0.2)
                add(f + gap // 3, relaxed)
                add(f + (2 * gap) // 3, relaxed)
            else:
                add(f + gap // 2, relaxed)
            f += gap
            paused = gap - gap // 2  # the movement starts from the relaxed hold in the pause's middle
        if n + 1 < len(letter_items):
            need = travel(keys[-1][1], letter_items[n + 1][1][1][0][1]) - paused / fps
            f += to_frames(max(trans_s, need), minimum=2 if letter_items[n + 1][1][3] else 1)

    f += to_frames(max(rng.uniform(0.35, 0.55) * pace, travel(key_poses[-1], rest)), minimum=3)  # back to rest
    add(f, rest)
    f += to_frames(rng.uniform(0.25, 0.5), minimum=2)
    add(f, rest)
    T = f + 1
    if max_frames is not None and T > max_frames:
        raise ValueError(
            f"signing {len(letters_only)} letters at speed {speed:g} takes {T} frames ({T / fps:.1f} s at "
            f"{fps:g} fps), more than the limit of {max_frames} frames; use a higher speed (at least about "
            f"{speed * T / max_frames:.2g}) or a shorter text")

    frames = np.asarray(key_frames)
    quats = _quats(np.stack(key_poses))
    grid = np.arange(T, dtype=np.float64)
    q_body = _interpolate(frames, quats[:, :21], grid)
    lead = float(rng.uniform(0.2, 0.6))
    q_hand = _interpolate(frames, quats[:, 21:], grid + lead)
    q = np.concatenate([q_body, q_hand], axis=1)

    if signer.jitter > 0:
        noise = rng.normal(0.0, 1.0, (T, NUM_JOINTS, 3))
        noise = gaussian_filter1d(noise, sigma=4.0, axis=0, mode="nearest")
        noise /= max(noise.std(), 1e-9)
        scale = np.full((NUM_JOINTS, 1), signer.jitter)
        scale[21:] *= 1.5
        noise *= np.deg2rad(scale)[None]
        q = quat_mul(q, rotvec_to_quat(noise))
    aa = quat_to_rotvec(q).astype(np.float32)
    return Motion(
        body_pose=aa[:, :21].reshape(T, 63),
        left_hand_pose=aa[:, 21:36].reshape(T, 45),
        right_hand_pose=aa[:, 36:].reshape(T, 45),
        segments=np.asarray(segments, np.int64).reshape(-1, 2),
        letters=seg_letters,
        key_frames=np.asarray(sorted(set(held)), np.int64),
    )
