import numpy as np
import pytest
import torch

from signspark.render import Gaussians, PlyError, load_avatar, load_ply, save_avatar, save_ply
from signspark.render.avatar import avatar_from_mesh
from signspark.render.ply import STANDARD_PROPERTIES, binding_path, read_ply


def _gaussians(n=50, seed=0):
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(n, 4, generator=g)
    q = q / q.norm(dim=1, keepdim=True)
    q = torch.where(q[:, :1] < 0, -q, q)
    return Gaussians(means=torch.randn(n, 3, generator=g), quats=q, scales=torch.rand(n, 3, generator=g) * 0.01 + 1e-3,
                     colors=torch.rand(n, 3, generator=g), opacities=torch.rand(n, generator=g) * 0.9 + 0.05)


def test_round_trip_gives_the_same_gaussians(tmp_path):
    g = _gaussians()
    path = save_ply(tmp_path / "frame.ply", g)
    back = load_ply(path)
    for name in ("means", "quats", "scales", "colors", "opacities"):
        assert torch.allclose(getattr(back, name), getattr(g, name), atol=1e-5), name
    assert not list(tmp_path.glob(".*tmp"))


def test_header_is_standard_3dgs_binary_little_endian(tmp_path):
    path = save_ply(tmp_path / "frame.ply", _gaussians(7))
    raw = path.read_bytes()
    header = raw[: raw.index(b"end_header\n")].decode().splitlines()
    assert header[:2] == ["ply", "format binary_little_endian 1.0"]
    assert "element vertex 7" in header
    props = [ln.split()[2] for ln in header if ln.startswith("property")]
    assert props == STANDARD_PROPERTIES
    assert all(ln.split()[1] == "float" for ln in header if ln.startswith("property"))
    assert len(raw) - len(b"\n".join(h.encode() for h in header)) - len(b"\nend_header\n") == 7 * 62 * 4
    props = read_ply(path)
    assert all(props[k].dtype == np.float32 for k in STANDARD_PROPERTIES)
    assert np.all(props["f_rest_0"] == 0) and np.all(props["nx"] == 0)


def test_compact_file_keeps_the_gaussians_in_a_quarter_of_the_size(tmp_path):
    g = _gaussians(40)
    full = save_ply(tmp_path / "full.ply", g)
    small = save_ply(tmp_path / "small.ply", g, compact=True)
    props = read_ply(small)
    assert "f_rest_0" not in props and "nx" not in props and {"f_dc_0", "opacity", "rot_3"} <= set(props)
    assert small.stat().st_size < 0.3 * full.stat().st_size
    back = load_ply(small)
    for name in ("means", "quats", "scales", "colors", "opacities"):
        assert torch.allclose(getattr(back, name), getattr(g, name), atol=1e-5), name


def _write(path, header: str, body: bytes = b""):
    path.write_bytes(header.encode() + body)
    return path


def test_malformed_and_hostile_files_give_clear_errors(tmp_path):
    good = save_ply(tmp_path / "good.ply", _gaussians(4)).read_bytes()
    cut = good.index(b"end_header\n") + len(b"end_header\n")
    head, body = good[:cut].decode(), good[cut:]
    with pytest.raises(PlyError, match="start with 'ply'"):
        load_ply(_write(tmp_path / "a.ply", "PLY\n" + head[4:], body))
    with pytest.raises(PlyError, match="not supported"):
        load_ply(_write(tmp_path / "b.ply", head.replace("binary_little_endian", "ascii"), body))
    with pytest.raises(PlyError, match="bytes"):
        load_ply(_write(tmp_path / "c.ply", head.replace("element vertex 4", "element vertex 5000000"), body))
    with pytest.raises(PlyError, match="bytes"):
        load_ply(_write(tmp_path / "d.ply", head, body[:-3]))
    with pytest.raises(PlyError, match="end_header"):
        load_ply(_write(tmp_path / "e.ply", "ply\nformat binary_little_endian 1.0\n" + "comment x\n" * 8000))
    with pytest.raises(PlyError, match="outside"):
        load_ply(_write(tmp_path / "f.ply", head.replace("element vertex 4", "element vertex 99999999999"), body))
    nan = bytearray(body)
    nan[0:4] = np.float32(np.nan).tobytes()
    with pytest.raises(PlyError, match="NaN"):
        load_ply(_write(tmp_path / "g.ply", head, bytes(nan)))
    with pytest.raises(PlyError, match="missing properties"):
        load_ply(_write(tmp_path / "h.ply", head.replace("property float rot_3", "property float other"), body))
    with pytest.raises(PlyError, match="no such file"):
        load_ply(tmp_path / "missing.ply")
    with pytest.raises(PlyError, match=".ply"):
        save_ply(tmp_path / "x.obj", _gaussians(2))


def test_avatar_round_trip_with_sidecar_and_property(tmp_path, tiny_body):
    v, F = tiny_body.v, torch.from_numpy(tiny_body.faces)
    av = avatar_from_mesh(v, F, np.random.default_rng(0).random((len(F), 3)), max_edge=0.15)
    ply, side = save_avatar(tmp_path / "me.ply", av, body_model=tiny_body)
    assert side == binding_path(ply) and side.exists()
    back = load_avatar(ply, body_model=tiny_body)
    assert back.surface and len(back) == len(av)
    moved = v + torch.tensor([0.2, 0.1, -0.3])
    a, b = av.pose(moved, F), back.pose(moved, F)
    assert torch.allclose(a.means, b.means, atol=1e-5)
    assert torch.allclose(a.rotation_matrices(), b.rotation_matrices(), atol=1e-4)
    assert torch.allclose(a.colors, b.colors, atol=1e-5)
    # The binding may also travel inside the ply as a face_id property.
    g = av.pose(v, F)
    ply2 = save_ply(tmp_path / "inline.ply", g, extra={"face_id": av.face_id.numpy().astype(np.float32)})
    back2 = load_avatar(ply2, body_model=tiny_body)
    assert torch.allclose(back2.pose(moved, F).means, a.means, atol=1e-5)


def test_avatar_binding_errors(tmp_path, tiny_body):
    v, F = tiny_body.v, torch.from_numpy(tiny_body.faces)
    av = avatar_from_mesh(v, F, np.full((len(F), 3), 0.5), max_edge=1.0)
    g = av.pose(v, F)
    lonely = save_ply(tmp_path / "lonely.ply", g)
    with pytest.raises(PlyError, match="no triangle binding"):
        load_avatar(lonely, body_model=tiny_body)
    bad = save_ply(tmp_path / "bad.ply", g, extra={"face_id": np.full(len(g), 99, np.float32)})
    with pytest.raises(PlyError, match="face_id values"):
        load_avatar(bad, body_model=tiny_body)
    ply, side = save_avatar(tmp_path / "short.ply", av, body_model=tiny_body)
    np.savez(side, face_id=np.zeros(3, np.int64), num_faces=np.int64(len(F)))
    with pytest.raises(PlyError, match="one per Gaussian"):
        load_avatar(ply, body_model=tiny_body)
    np.savez(side, face_id=np.zeros(len(av), np.int64), num_faces=np.int64(999))
    with pytest.raises(PlyError, match="999 triangles"):
        load_avatar(ply, body_model=tiny_body)
