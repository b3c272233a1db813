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


def _grid_mesh(n=6, size=0.06):
    """A flat n x n grid of quads in the z = 0 plane, each split along its long diagonal."""
    xs = np.linspace(0, size, n + 1)
    v = np.array([[x, y * 1.3, 0.0] for y in xs for x in xs], np.float32)
    faces = []
    for r in range(n):
        for c in range(n):
            i = r * (n + 1) + c
            faces += [[i, i + 1, i + n + 2], [i, i + n + 2, i + n + 1]]
    return torch.from_numpy(v), torch.tensor(faces)


def test_pair_triangles_finds_the_quads_of_a_grid():
    from signspark.render.avatar import pair_triangles

    v, F = _grid_mesh()
    partner = pair_triangles(v.numpy(), F.numpy(), np.zeros(len(F), np.int64), max_edge=0.05)
    assert (partner >= 0).all()
    assert (partner[partner] == np.arange(len(F))).all()  # mutual
    assert (partner // 2 == np.arange(len(F)) // 2).all()  # the two halves of each quad
    groups = np.arange(len(F)) % 2  # the halves in different colour groups: nothing pairs
    assert (pair_triangles(v.numpy(), F.numpy(), groups, max_edge=0.05) < 0).all()
    assert (pair_triangles(v.numpy(), F.numpy(), np.zeros(len(F), np.int64), max_edge=0.001) < 0).all()


def test_merged_avatar_has_one_gaussian_per_quad_at_its_centre():
    v, F = _grid_mesh()
    av = avatar_from_mesh(v, F, np.full((len(F), 3), 0.5), merge_groups=np.zeros(len(F), np.int64),
                          max_edge=1.0, merge_max_edge=0.05)
    assert len(av) == len(F) // 2
    g = av.pose(v, F)
    quad_centres = v[F.reshape(-1, 6)].mean(1)  # each quad's 4 corners (2 shared) average to its centre
    d = (g.means[:, None] - quad_centres[None]).norm(dim=-1).min(1).values
    assert float(d.max()) < 1e-6
    # Spread over the whole quad: sigma along x about coverage * cell / sqrt(12).
    cell = 0.01
    assert torch.allclose(g.scales[:, :2].min(1).values, torch.full((len(av),), 2.2 * cell / 12 ** 0.5), rtol=0.05)
    # Bending the grid moves each Gaussian with its anchor triangle.
    bent = v.clone()
    bent[:, 2] = 0.3 * bent[:, 0] ** 2
    assert (av.pose(bent, F).means[:, 2] > 0).any()


def test_pose_for_camera_equals_pose_then_shade_and_cull(builtin_body, builtin_avatar):
    from signspark.pose import PoseSequence
    from signspark.render import camera_for_view
    from signspark.render.lighting import shade_and_cull

    seq = PoseSequence.zeros(1)
    seq.params["body_pose"][0, 50] = -1.0  # turn an elbow
    out = builtin_body(seq)
    cam = camera_for_view("three_quarter", out.joints, 128, 128)
    a = shade_and_cull(builtin_avatar.pose(out.vertices[0], builtin_body.faces), cam)
    b = builtin_avatar.pose_for_camera(out.vertices[0], builtin_body.faces, cam)
    assert 0.3 * len(builtin_avatar) < len(b) < 0.8 * len(builtin_avatar)  # back faces dropped
    for name in ("means", "scales", "colors", "opacities", "rotmats", "normals"):
        assert torch.allclose(getattr(a, name), getattr(b, name), atol=1e-6), name


def test_posed_quaternions_are_derived_lazily_and_match_the_matrices():
    av = _one_triangle_avatar()
    g = av.pose(torch.tensor([[0.0, 0, 0], [0.1, 0, 0], [0, 0.1, 0]]), torch.tensor([[0, 1, 2]]))
    assert g._quats is None  # renderers never pay for the conversion
    assert torch.allclose(quaternion_to_matrix(g.quats), g.rotmats, atol=1e-6)
    sub = g.subset(torch.tensor([True, False]))
    assert len(sub) == 1 and torch.equal(sub.means, g.means[:1])
