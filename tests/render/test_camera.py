import math

import numpy as np
import pytest
import torch

from signspark.render import Camera, Gaussians, camera_for_view
from signspark.render.backends.base import FrameData, backend_status, get_backend


def front_camera(w=200, h=160, fov=40.0):
    return Camera.look_at(eye=(0, 0, 2.0), target=(0, 0, 0), width=w, height=h, fov_y=fov)


def test_axis_point_lands_at_image_centre():
    cam = front_camera()
    uv, z = cam.project(torch.tensor([[0.0, 0.0, 0.0]]))
    assert uv[0].tolist() == pytest.approx([100.0, 80.0], abs=1e-4)
    assert float(z[0]) == pytest.approx(2.0)


def test_known_offsets_land_at_known_pixels():
    cam = front_camera()
    f = 0.5 * 160 / math.tan(math.radians(20))
    # +x is the subject's left: it appears on the right of a front view; +y is up: it appears higher.
    uv, _ = cam.project(torch.tensor([[0.1, 0.0, 0.0], [0.0, 0.1, 0.0]]))
    assert uv[0].tolist() == pytest.approx([100 + f * 0.1 / 2.0, 80.0], abs=1e-3)
    assert uv[1].tolist() == pytest.approx([100.0, 80 - f * 0.1 / 2.0], abs=1e-3)


def test_viewmat_is_rigid_and_gl_projection_matches_pixels():
    cam = Camera.look_at(eye=(0.7, 0.4, 1.9), target=(0.1, -0.1, 0.0), width=320, height=240, fov_y=30)
    R = cam.viewmat[:3, :3].double()
    assert torch.allclose(R @ R.T, torch.eye(3, dtype=torch.float64), atol=1e-6)
    pts = torch.tensor([[0.05, 0.1, -0.2], [-0.3, 0.2, 0.1]])
    uv, _ = cam.project(pts)
    pc = cam.world_to_camera(pts).numpy()
    clip = np.c_[pc, np.ones(2)] @ cam.gl_projection().T
    ndc = clip[:, :2] / clip[:, 3:]
    u = (ndc[:, 0] + 1) / 2 * 320
    v = (1 - ndc[:, 1]) / 2 * 240
    assert np.allclose(np.c_[u, v], uv.numpy(), atol=1e-3)


def test_bad_camera_input_is_refused():
    with pytest.raises(ValueError, match="coincide"):
        Camera.look_at(eye=(0, 0, 0), target=(0, 0, 0), width=10, height=10)
    with pytest.raises(ValueError, match="fov_y"):
        Camera.look_at(eye=(0, 0, 1), target=(0, 0, 0), width=10, height=10, fov_y=0)
    with pytest.raises(ValueError, match="parallel"):
        Camera.look_at(eye=(0, 1, 0), target=(0, 0, 0), width=10, height=10)


def _one_gaussian(p):
    return Gaussians(means=torch.tensor([p]), quats=torch.tensor([[1.0, 0, 0, 0]]),
                     scales=torch.full((1, 3), 0.004), colors=torch.tensor([[0.0, 0.0, 0.0]]),
                     opacities=torch.tensor([0.99]))


@pytest.mark.parametrize("name", ["torch", "gl"])
def test_a_gaussian_lands_on_its_projected_pixel_in_every_backend(name):
    ok, why = backend_status(name)
    if not ok:
        pytest.skip(f"{name} backend unavailable: {why}")
    cam = front_camera()
    p = [0.12, -0.08, 0.05]
    uv, _ = cam.project(torch.tensor([p]))
    img = get_backend(name).render(FrameData(gaussians=_one_gaussian(p)), cam, (1, 1, 1))
    row, col = np.unravel_index(np.argmin(img.sum(-1)), img.shape[:2])
    # The darkest pixel is the one whose centre is closest to the projection.
    assert (col, row) == (int(uv[0, 0]), int(uv[0, 1]))


def test_skeleton_joints_land_on_their_pixels():
    cam = front_camera()
    joints = torch.zeros(127, 3)
    joints[:, 2] = -50.0  # everything else behind the camera's far side ... moved away
    joints[:, 0] = 100.0
    joints[16] = torch.tensor([0.1, 0.05, 0.0])  # left shoulder
    img = get_backend("skeleton").render(FrameData(joints=joints), cam, (1, 1, 1))
    uv, _ = cam.project(joints[16:17])
    col, row = int(uv[0, 0]), int(uv[0, 1])
    assert img[row, col].sum() < 3 * 200  # a joint dot is drawn there


def test_views_frame_the_clip(builtin_body):
    from signspark.pose import PoseSequence

    out = builtin_body(PoseSequence.zeros(2))
    for view in ("front", "three_quarter", "side", "hands"):
        cam = camera_for_view(view, out.joints, 256, 256)
        uv, z = cam.project(out.joints[0, [20, 21, 15]])
        assert (z > 0).all()
        assert ((uv >= 0) & (uv < 256)).all(), view
    cam = camera_for_view("hands", out.joints, 256, 256)
    uv, _ = cam.project(out.joints[0, [20, 21]])
    assert float((uv[0] - uv[1]).norm()) > 100  # the hands fill the frame
    with pytest.raises(ValueError, match="unknown view"):
        camera_for_view("top", out.joints)


def test_hands_view_closes_in_on_the_signing_hand(builtin_body):
    """Fingerspelling: the right hand raised, the left resting at the side: the close-up frames the right hand."""
    from signspark.signs.fingerspelling import spell

    out = builtin_body(spell("abc", "ASL"))
    j = out.joints
    raised = j[:, 21, 1] > j[:, 19, 1]  # right wrist above the right elbow
    assert raised.any() and not (j[:, 20, 1] > j[:, 18, 1]).any()  # the left hand rests
    cam = camera_for_view("hands", j, 256, 256)
    uv, _ = cam.project(j[raised][:, 21])
    assert ((uv >= 0) & (uv < 256)).all()  # the signing hand is in every frame where it signs
    uv_left, _ = cam.project(j[:, 20])
    inside = ((uv_left >= 0) & (uv_left < 256)).all(dim=-1)
    # the resting hand is out of the close-up, or at most at its bottom edge (where raising starts)
    assert (uv_left[inside][:, 1] > 0.95 * 256).all()

    def hand_size(camera):  # pixels spanned by the right fingertips and wrist, median over the raised frames
        pts, _ = camera.project(j[raised][:, [21, 71, 72, 73, 74, 75]].reshape(-1, 3))
        pts = pts.reshape(-1, 6, 2)
        return float((pts.amax(1) - pts.amin(1)).max(-1).values.median())

    # closer than the front view (measured: 1.4x), though it keeps the head in the picture
    assert hand_size(cam) > 1.3 * hand_size(camera_for_view("front", j, 256, 256))
    uv_head, _ = cam.project(j[:, 15])
    assert ((uv_head >= 0) & (uv_head < 256)).all()  # the face is part of signing


def test_side_view_is_a_profile(builtin_body):
    """The side camera looks along the body's left-right axis, from the subject's right."""
    from signspark.signs.fingerspelling import spell

    j = builtin_body(spell("abc", "ASL")).joints
    cam = camera_for_view("side", j, 256, 256)
    forward = cam.rotation[2]  # the camera's viewing direction in the world
    assert forward[0] > 0.99  # looks towards +x (the subject's left): the camera is on the subject's right
    uv, _ = cam.project(j[:, [15, 21]].reshape(-1, 3))
    assert ((uv >= 0) & (uv < 256)).all()  # head and signing hand in every frame
    # the nose side: a point in front of the body (+z) lands to the right of the head in the picture
    head = j[0, 15]
    uv_front, _ = cam.project(torch.stack([head, head + torch.tensor([0.0, 0.0, 0.2])]))
    assert float(uv_front[1, 0] - uv_front[0, 0]) > 10
