"""Simulated signers: the variation between people and between takes.

A :class:`Signer` fixes what stays constant for one person: body shape and
hand size (``betas``), spelling speed, how long letters are held, where the
signing space is, small posture differences, how lax the handshapes are, how
strongly neighbouring letters blend (coarticulation) and how much the pose
jitters. :func:`sample_signer` draws one from a seed; :data:`DEFAULT_SIGNER`
is the neutral signer used for inference when none is given.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .arms import Posture

__all__ = ["Signer", "DEFAULT_SIGNER", "sample_signer", "signer_pool"]


@dataclasses.dataclass(frozen=True)
class Signer:
    """One simulated signer (all fields hashable, so per-signer solutions can be cached).

    Attributes:
        name: identifier, e.g. ``"signer03"``.
        betas: 10 SMPL-X shape coefficients (body and hand size).
        rate: letters per second at speed 1 (about 4-8).
        hold: fraction of each letter's time spent holding the handshape.
        posture: spine lean, head tilt, shoulder raise while signing.
        space: offset of the signing space (metres, body frame).
        tilt: small rotation of every hand orientation (degrees about x, y, z).
        lax: 0..1 blend of handshapes toward a relaxed hand (0 = crisp).
        coarticulation: 0..1 how much a hold already leans toward the next letter.
        jitter: degrees of slow random drift added to the joints.
        palm_turn: degrees the one-handed spelling hand turns its palm toward the body's midline
            from the chart orientation (real signers: about 25-40).
        finger_lean: degrees an upright spelling hand leans its fingers toward the viewer.
    """

    name: str = "default"
    betas: tuple[float, ...] = (0.0,) * 10
    rate: float = 4.5
    hold: float = 0.6
    posture: Posture = Posture()
    space: tuple[float, float, float] = (0.0, 0.0, 0.0)
    tilt: tuple[float, float, float] = (0.0, 0.0, 0.0)
    lax: float = 0.0
    coarticulation: float = 0.15
    jitter: float = 0.0
    palm_turn: float = 32.0
    finger_lean: float = 10.0


DEFAULT_SIGNER = Signer()


def sample_signer(seed: int, name: str | None = None) -> Signer:
    """Draw a signer from a seed (same seed, same signer)."""
    rng = np.random.default_rng([7919, int(seed)])
    betas = np.zeros(10)
    betas[:2] = rng.normal(0.0, 0.8, 2)
    betas[2:] = rng.normal(0.0, 0.3, 8)
    posture = Posture(
        lean_forward=float(rng.uniform(-2, 6)),
        lean_side=float(rng.normal(0, 1.5)),
        head_tilt=float(rng.uniform(-3, 6)),
        collar_raise=float(rng.uniform(1, 7)),
        collar_forward=float(rng.uniform(2, 8)),
    )
    return Signer(
        name=name or f"signer{int(seed):03d}",
        betas=tuple(float(round(b, 4)) for b in betas),
        rate=float(rng.uniform(4.0, 8.0)),
        hold=float(rng.uniform(0.45, 0.65)),
        posture=posture,
        space=tuple(float(v) for v in rng.normal(0, [0.03, 0.03, 0.03])),
        tilt=tuple(float(v) for v in rng.normal(0, 6.0, 3)),
        lax=float(rng.uniform(0.0, 0.15)),
        coarticulation=float(rng.uniform(0.05, 0.3)),
        jitter=float(rng.uniform(0.3, 1.2)),
        palm_turn=float(rng.uniform(25.0, 40.0)),
        finger_lean=float(rng.uniform(5.0, 16.0)),
    )


def signer_pool(first: int, count: int) -> list[Signer]:
    """``count`` signers with seeds ``first, first+1, ...``."""
    return [sample_signer(first + i) for i in range(count)]
