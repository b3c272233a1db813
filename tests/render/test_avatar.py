import math

import numpy as np
import pytest
import torch

from signspark.render import GaussianAvatar
from signspark.render.avatar import avatar_from_mesh, triangle_frames
from signspark.render.gaussians import quaternion_to_matrix


def _one_triangle_avatar():
    return GaussianAvatar(
        face_id=torch.tensor([0, 0]), bary=torch.tensor([[1 / 3, 1 / 3, 1 / 3], [0.6, 0.2, 0.2]]),
        offset=torch.tensor([0.0, 0.01]), rotation=torch.tensor([[1.0, 0, 0, 0], [math.cos(0.3), 0, 0, math.sin(0.3)]]),
        scale=torch.tensor([[0.01, 0.005, 0.001]] * 2), color=torch.rand(2, 3), opacity=torch.tensor([0.9, 0.5]),
        num_faces=1)


def _rot_z(a):
    c, s = math.cos(a), math.sin(a)
    return torch.tensor([[c, -s, 0], [s, c, 0], [0, 0, 1.0]])


def test_gaussians_follow_a_moved_triangle():
    av = _one_triangle_avatar()
    faces = torch.tensor([[0, 1, 2]])
    v0 = torch.tensor([[0.0, 0, 0], [0.1, 0, 0], [0, 0.1, 0]])
    g0 = av.pose(v0, faces)
    assert torch.allclose(g0.means[0], v0.mean(0), atol=1e-6)
    assert torch.allclose(g0.means[1], 0.6 * v0[0] + 0.2 * v0[1] + 0.2 * v0[2] + torch.tensor([0, 0, 0.01]), atol=1e-6)
    # Rigidly move the triangle: rotate about a tilted axis and translate.
    Rm = _rot_z(0.7) @ torch.tensor([[1.0, 0, 0], [0, math.cos(1.1), -math.sin(1.1)], [0, math.sin(1.1), math.cos(1.1)]])
    shift = torch.tensor([0.3, -0.2, 0.5])
    v1 = v0 @ Rm.T + shift
    g1 = av.pose(v1, faces)
    assert torch.allclose(g1.means, g0.means @ Rm.T + shift, atol=1e-5)
    assert torch.allclose(g1.rotation_matrices(), Rm @ g0.rotation_matrices(), atol=1e-5)
    assert torch.allclose(quaternion_to_matrix(g1.quats), g1.rotation_matrices(), atol=1e-5)
    assert torch.allclose(g1.scales, g0.scales)
    assert torch.allclose(g1.normals[0], Rm @ torch.tensor([0, 0, 1.0]), atol=1e-6)


def test_scales_stretch_with_the_triangle_when_rest_areas_are_known():
    av = _one_triangle_avatar()
    av = GaussianAvatar(
        face_id=av.face_id, bary=av.bary, offset=av.offset, rotation=av.rotation, scale=av.scale, color=av.color,
        opacity=av.opacity, num_faces=1, rest_area=torch.tensor([0.005]))
    faces = torch.tensor([[0, 1, 2]])
    g = av.pose(torch.tensor([[0.0, 0, 0], [0.2, 0, 0], [0, 0.2, 0]]), faces)  # area 0.02 = 4x rest
    assert torch.allclose(g.scales, av.scale * 2)


def test_avatar_validation_errors():
    good = _one_triangle_avatar()
    with pytest.raises(ValueError, match="face_id"):
        GaussianAvatar(face_id=torch.tensor([0, 3]), bary=good.bary, offset=good.offset, rotation=good.rotation,
                       scale=good.scale, color=good.color, opacity=good.opacity, num_faces=1)
    with pytest.raises(ValueError, match="NaN"):
        GaussianAvatar(face_id=good.face_id, bary=good.bary, offset=torch.tensor([0.0, float("nan")]),
                       rotation=good.rotation, scale=good.scale, color=good.color, opacity=good.opacity, num_faces=1)
    with pytest.raises(ValueError, match="triangles"):
        good.pose(torch.zeros(3, 3), torch.tensor([[0, 1, 2], [0, 2, 1]]))


def test_avatar_from_mesh_covers_each_triangle(tiny_body):
    v = tiny_body.v
    F = torch.from_numpy(tiny_body.faces)
    av = avatar_from_mesh(v, F, np.full((len(F), 3), 0.5), max_edge=1.0)
    assert len(av) == len(F)  # small triangles: one Gaussian each
    g = av.pose(v, F)
    tri, R, area = triangle_frames(v, F)
    assert torch.allclose(g.means, tri.mean(1), atol=1e-6)
    # Flat: the normal-axis sigma is much smaller than the in-plane ones, and lies along the normal.
    assert (g.scales[:, 2] < 0.3 * g.scales[:, 1]).all()
    assert torch.allclose((g.rotation_matrices()[:, :, 2] * R[:, :, 2]).sum(-1).abs(), torch.ones(len(F)), atol=1e-5)
    split = avatar_from_mesh(v, F, np.full((len(F), 3), 0.5), max_edge=0.15)
    assert len(split) > len(F)


def test_default_avatar_is_a_person_with_small_finger_gaussians(builtin_body, builtin_avatar):
    from signspark.pose import PoseSequence

    av = builtin_avatar
    assert 20_000 <= len(av) <= 50_000
    out = builtin_body(PoseSequence.zeros(1))
    g = av.pose(out.vertices[0], builtin_body.faces)
    assert torch.isfinite(g.means).all()
    # Gaussians near the fingertips (joints 66..75) are small: fingers stay apart.
    tips = out.joints[0, 66:76]
    d = torch.cdist(g.means, tips).min(1).values
    near = d < 0.01
    assert near.sum() > 50
    assert float(g.scales[near, :2].max(1).values.median()) < 0.003
    # Skin, clothing and hair colours are all present.
    cols = (av.color * 255).round()
    assert len(torch.unique((cols // 32), dim=0)) >= 4
