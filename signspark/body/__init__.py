"""The body model: SMPL-X through the ``smplx`` package, with a built-in SMPL-X-compatible body.

* :class:`BodyModel` - ``BodyModel.load(model_path=None, gender="neutral", device="cpu")``;
  calling it on a PoseSequence (or a mapping of SMPL-X arrays) gives a :class:`BodyOutput`
  with (T, V, 3) vertices and (T, 127, 3) joints.
* :func:`shared_body_model` - the body ``BodyModel.load()`` gives, loaded once per process and shared.
* :func:`builtin_body_path` - the generated, cached built-in ``SMPLX_NEUTRAL.npz``.
* :func:`body_model_info` - which model would be used (for ``signspark info``).
* :mod:`signspark.body.joints` - joint names, the kinematic tree and index helpers.
* :data:`REGIONS` - per-vertex region codes of the built-in body (skin, hair, shirt, ...).

Model lookup: an explicit path, else ``$SIGNSPARK_SMPLX_DIR``, else the built-in body.
``torch`` and ``smplx`` are imported on first use of :class:`BodyModel`.
"""

from __future__ import annotations

from . import joints
from .builtin import BuiltinBodyError, builtin_body_path
from .regions import REGION_COLORS, REGION_NAMES, REGIONS

_LAZY = {"BodyModel", "BodyOutput", "BodyModelError", "body_model_info", "resolve_model_path", "shared_body_model"}


def __getattr__(name: str):
    if name in _LAZY:
        from . import model

        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BodyModel", "BodyOutput", "BodyModelError", "BuiltinBodyError", "body_model_info", "builtin_body_path",
    "resolve_model_path", "shared_body_model", "joints", "REGIONS", "REGION_NAMES", "REGION_COLORS",
]
