"""``.pose`` files (the ``pose-format`` package) in MediaPipe Holistic layout, both ways.

Reading: a ``.pose`` file with the components ``POSE_LANDMARKS`` (33 points),
``FACE_LANDMARKS`` (468 or 478), ``LEFT_HAND_LANDMARKS`` and ``RIGHT_HAND_LANDMARKS``
(21 each), optionally ``POSE_WORLD_LANDMARKS`` - what ``video_to_pose --format mediapipe``
and the sign.mt tools write - becomes :class:`~signspark.capture.landmarks.Landmarks`.
Such files hold ``x`` and ``y`` in pixels and MediaPipe's raw ``z`` (scaled like ``x / width``);
``z`` is multiplied by the header's width on reading and divided by it on writing. The first
person is read. A missing hand or face component reads as absent; a face with another number
of points (a reduced face) is dropped with a warning.

Writing: :func:`write_pose` stores any :class:`Landmarks` in the same layout (points with
confidence 0 are masked), readable by ``pose_format.Pose.read`` and pose-viewer.
:func:`export_pose` does it for a PoseSequence, via
:func:`~signspark.capture.body_landmarks.landmarks_from_sequence` (points projected with the
renderer's front camera; see that module for the camera and for which face points exist).

``pose-format`` does not need MediaPipe for any of this.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from ..atomic import atomic_file
from . import layout as L
from .landmarks import LandmarkError, Landmarks

__all__ = ["PoseFormatError", "read_pose", "write_pose", "export_pose", "MAX_POSE_BYTES"]

MAX_POSE_BYTES = 2 * 2 ** 30  # larger files are refused rather than read into memory

_COLORS = {L.POSE: [(255, 0, 0)], L.FACE: [(128, 0, 0)], L.LEFT_HAND: [(0, 128, 255)],
           L.RIGHT_HAND: [(255, 128, 0)], L.POSE_WORLD: [(255, 0, 0)]}


class PoseFormatError(LandmarkError):
    """A ``.pose`` file cannot be read or lacks the Holistic layout; the message names the file."""


def _pose_format():
    try:
        import pose_format
        from pose_format.numpy import NumPyPoseBody
        from pose_format.pose_header import PoseHeader, PoseHeaderComponent, PoseHeaderDimensions
    except ImportError as e:  # pragma: no cover - a core dependency
        raise PoseFormatError(f".pose files need the pose-format package: pip install pose-format ({e})") from None
    return pose_format.Pose, PoseHeader, PoseHeaderComponent, PoseHeaderDimensions, NumPyPoseBody


def read_pose(path: str | os.PathLike) -> Landmarks:
    """Read a MediaPipe Holistic ``.pose`` file.

    Returns:
        :class:`Landmarks` (pixels; ``z`` in pixels).

    Raises:
        PoseFormatError: missing or unreadable file, no ``POSE_LANDMARKS`` component, wrong
            point counts, no frames or no people.
    """
    Pose = _pose_format()[0]
    p = Path(path)
    if not p.is_file():
        raise PoseFormatError(f"{p}: not a regular file (a folder, named pipe, device or socket)" if p.exists()
                              else f"{p}: no such file")
    if p.stat().st_size > MAX_POSE_BYTES:
        raise PoseFormatError(f"{p}: {p.stat().st_size} bytes is more than the limit of {MAX_POSE_BYTES}")
    try:
        pose = Pose.read(p.read_bytes())
    except Exception as e:  # the reader raises struct.error, ValueError, IndexError ... on broken data
        raise PoseFormatError(f"{p}: not a readable .pose file ({type(e).__name__}: {e})") from None
    header, body = pose.header, pose.body
    comps = {c.name: c for c in header.components}
    if L.POSE not in comps:
        raise PoseFormatError(f"{p}: no {L.POSE} component (found {sorted(comps)}); expected the MediaPipe "
                              "Holistic layout (pose_format video_to_pose --format mediapipe)")
    data = np.ma.getdata(body.data).astype(np.float32)
    mask = np.ma.getmaskarray(body.data)
    conf = np.asarray(body.confidence, np.float32)
    if data.ndim != 4 or data.shape[0] < 1 or data.shape[1] < 1:
        raise PoseFormatError(f"{p}: the file holds no frames or no people (data shape {data.shape})")
    T = data.shape[0]
    width = int(getattr(header.dimensions, "width", 0) or 0)
    height = int(getattr(header.dimensions, "height", 0) or 0)
    if width < 1 or height < 1:
        raise PoseFormatError(f"{p}: the header has no frame size ({width}x{height}); pixel coordinates are needed")
    offsets, start = {}, 0
    for c in header.components:
        offsets[c.name] = (start, len(c.points), c.format)
        start += len(c.points)
    if start != data.shape[2]:
        raise PoseFormatError(f"{p}: the header names {start} points but the data holds {data.shape[2]}")
    face_n = offsets[L.FACE][1] if L.FACE in offsets else L.NUM_FACE
    if face_n not in (L.NUM_FACE, L.NUM_FACE_REFINED):
        warnings.warn(f"{p}: {L.FACE} has {face_n} points (not 468 or 478); the face is left out", stacklevel=2)
        face_n = L.NUM_FACE
        offsets.pop(L.FACE)
    lm = Landmarks.empty(T, width, height, fps=float(body.fps) if body.fps and body.fps > 0 else 25.0,
                         face_points=face_n, source=str(p))
    expected = {L.POSE: L.NUM_POSE, L.LEFT_HAND: L.NUM_HAND, L.RIGHT_HAND: L.NUM_HAND, L.FACE: face_n}
    for comp, n in expected.items():
        if comp not in offsets:
            continue
        s, count, fmt = offsets[comp]
        if count != n:
            raise PoseFormatError(f"{p}: {comp} has {count} points, expected {n}")
        xyz = data[:, 0, s:s + n, :]
        c = np.nan_to_num(conf[:, 0, s:s + n], nan=0.0).clip(0.0, 1.0)
        c[mask[:, 0, s:s + n].any(axis=-1)] = 0.0
        pts = np.zeros((T, n, 3), np.float32)
        pts[..., :min(3, xyz.shape[-1])] = xyz[..., :3]
        if xyz.shape[-1] >= 3:
            pts[..., 2] *= width
        bad = ~np.isfinite(pts).all(axis=-1)
        c[bad] = 0.0
        pts[c <= 0] = 0.0
        lm.points[comp], lm.confidence[comp] = pts, c
    if L.POSE_WORLD in offsets and offsets[L.POSE_WORLD][1] == L.NUM_POSE and data.shape[-1] >= 3:
        s = offsets[L.POSE_WORLD][0]
        w = np.nan_to_num(data[:, 0, s:s + L.NUM_POSE, :3])
        w[mask[:, 0, s:s + L.NUM_POSE].any(axis=-1)] = 0.0
        lm.world = w
    lm.validate()
    return lm


def write_pose(landmarks: Landmarks, path: str | os.PathLike) -> Path:
    """Write landmarks as a MediaPipe Holistic ``.pose`` file (atomically).

    Components: POSE_LANDMARKS, FACE_LANDMARKS, LEFT_HAND_LANDMARKS, RIGHT_HAND_LANDMARKS and,
    when ``landmarks.world`` is set, POSE_WORLD_LANDMARKS; point format XYZC, one person.
    Points with confidence 0 are masked.

    Returns:
        the path written.
    """
    Pose, PoseHeader, PoseHeaderComponent, PoseHeaderDimensions, NumPyPoseBody = _pose_format()
    path = Path(path)
    if path.suffix.lower() != ".pose":
        raise PoseFormatError(f"{path}: a landmark file is written as .pose")
    landmarks.validate()
    nface = landmarks.points[L.FACE].shape[1]
    names = {L.POSE: (L.POSE_POINT_NAMES, L.POSE_LIMBS), L.FACE: (L.face_point_names(nface), L.face_limbs(nface)),
             L.LEFT_HAND: (L.HAND_POINT_NAMES, L.HAND_LIMBS), L.RIGHT_HAND: (L.HAND_POINT_NAMES, L.HAND_LIMBS)}
    comps, blocks, confs = [], [], []
    for comp in L.COMPONENTS:
        points, limbs = names[comp]
        comps.append(PoseHeaderComponent(name=comp, points=list(points), limbs=[tuple(x) for x in limbs],
                                         colors=_COLORS[comp], point_format="XYZC"))
        xyz = landmarks.points[comp].astype(np.float32).copy()
        xyz[..., 2] /= landmarks.width
        blocks.append(xyz)
        confs.append(landmarks.confidence[comp])
    if landmarks.world is not None:
        comps.append(PoseHeaderComponent(name=L.POSE_WORLD, points=list(L.POSE_POINT_NAMES),
                                         limbs=[tuple(x) for x in L.POSE_LIMBS], colors=_COLORS[L.POSE_WORLD],
                                         point_format="XYZC"))
        blocks.append(landmarks.world.astype(np.float32))
        confs.append(landmarks.confidence[L.POSE])
    data = np.concatenate(blocks, axis=1)[:, None]  # (T, 1, P, 3)
    conf = np.concatenate(confs, axis=1)[:, None].astype(np.float32)  # (T, 1, P)
    mask = np.repeat((conf <= 0)[..., None], 3, axis=-1)
    header = PoseHeader(version=0.2, dimensions=PoseHeaderDimensions(width=landmarks.width, height=landmarks.height,
                                                                     depth=0), components=comps)
    body = NumPyPoseBody(fps=float(landmarks.fps), data=np.ma.masked_array(data, mask=mask), confidence=conf)
    with atomic_file(path) as fh:
        Pose(header, body).write(fh)
    return path


def export_pose(seq, path: str | os.PathLike, body_model=None, size: int | tuple[int, int] = 512,
                fov_y: float = 25.0) -> Path:
    """Write a PoseSequence as a Holistic ``.pose`` file, as seen by the renderer's front camera.

    Args:
        seq: a :class:`~signspark.pose.PoseSequence` or a path to its ``.npz``.
        path: the ``.pose`` file to write.
        body_model: a :class:`~signspark.body.BodyModel` (default: the built-in body).
        size: image size of the stated camera in pixels (int or (width, height)).
        fov_y: the camera's vertical field of view, degrees.
    """
    from ..pose import PoseSequence
    from .body_landmarks import landmarks_from_sequence

    if not isinstance(seq, PoseSequence):
        seq = PoseSequence.load(seq)
    lm, _ = landmarks_from_sequence(seq, body_model=body_model, size=size, fov_y=fov_y)
    return write_pose(lm, path)
