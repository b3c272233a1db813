"""Signs -> a PoseSequence take: the clip a lexicon gives for a text, with segments and keyframes.

This is sign-retrieval text-to-pose's first half: the take's onset, middle and offset
keyframes of every sign condition the generator, which produces the motion around and
between them. Any :class:`~signspark.signs.lexicon.Lexicon` can be used.

Example::

    >>> seq = sign_text("hello", "ASL")        # the language's lexicon (its manual alphabet today)
    >>> seq.gloss, len(seq.segments)
    ('H E L L O', 5)
"""

from __future__ import annotations

import numpy as np

from signspark.keyframes import onset_middle_offset
from signspark.pose.sequence import PoseSequence
from signspark.pose.streams import SMPLX_FRAME_KEYS

from .lexicon import PAUSE, Lexicon, lexicon_for
from .motion import FPS, build_motion
from .signers import DEFAULT_SIGNER, Signer, sample_signer

__all__ = ["take", "sign_text", "as_signer", "PAUSE"]


def as_signer(signer: Signer | int | None) -> Signer:
    """A :class:`Signer`, a seed for :func:`sample_signer`, or None for the neutral default signer."""
    if signer is None:
        return DEFAULT_SIGNER
    if isinstance(signer, Signer):
        return signer
    if isinstance(signer, (int, np.integer)) and not isinstance(signer, bool):
        return sample_signer(int(signer))
    raise TypeError(f"signer must be a Signer, an int seed or None, got {type(signer).__name__}")


def take(tokens: list[str], lexicon: Lexicon, text: str = "", seed: int = 0, speed: float = 1.0,
         signer: Signer | int | None = None, fps: float = FPS) -> PoseSequence:
    """Sign ``tokens`` (sign names of ``lexicon`` and :data:`PAUSE`) as one take.

    Args:
        text: the text the take signs (stored in the sequence).
        seed: timing and jitter randomness (same seed, same output).
        speed: sign-rate multiplier (1 = natural).
        signer: a :class:`Signer`, an int (a sampled signer) or None (the neutral default signer).
        fps: frame rate.

    Returns:
        A :class:`PoseSequence` with one segment per sign, ``gloss`` the space-separated sign labels
        (one per segment) and keyframes at each sign's onset, middle and offset, plus every key pose of
        a sign whose form asks for it (``SignForm.hold_keys``: the turning points of a path).
    """
    sg = as_signer(signer)
    motion = build_motion(tokens, lexicon, sg, np.random.default_rng(int(seed)), speed=speed, fps=fps)
    T = motion.num_frames
    params = {k: np.zeros((T, d), np.float32) for k, d in SMPLX_FRAME_KEYS.items()}
    params["body_pose"] = motion.body_pose
    params["left_hand_pose"] = motion.left_hand_pose
    params["right_hand_pose"] = motion.right_hand_pose
    segments = motion.segments
    return PoseSequence(
        params=params, betas=np.asarray(sg.betas, np.float32), fps=float(fps), language=lexicon.language, text=text,
        gloss=" ".join(motion.letters), segments=segments,
        keyframes=np.asarray(sorted(set(onset_middle_offset(segments.tolist())) | set(motion.key_frames.tolist())),
                             np.int64),
    )


def sign_text(text: str, language: str, seed: int = 0, speed: float = 1.0, signer: Signer | int | None = None,
              fps: float = FPS, lexicon: Lexicon | None = None) -> PoseSequence:
    """Sign ``text`` with ``language``'s lexicon (or the one given) as one take (see :func:`take`)."""
    lexicon = lexicon or lexicon_for(language)
    tokens = lexicon.tokens(text)
    return take(tokens, lexicon, text=" ".join(text.split()), seed=seed, speed=speed, signer=signer, fps=fps)



