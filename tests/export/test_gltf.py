"""The animated .glb export: structure, the Khronos validator, and skinning the file's own data."""

import json
import struct

import numpy as np
import pytest

from signspark.body.joints import SMPLX_JOINT_NAMES
from signspark.export import GltfExportError, glb_bytes, write_glb
from signspark.pose import PoseSequence


def _repack(data: bytes, edit) -> bytes:
    """A copy of a GLB whose JSON chunk went through ``edit(doc)``."""
    jlen = struct.unpack_from("<I", data, 12)[0]
    doc = json.loads(data[20:20 + jlen])
    edit(doc)
    js = json.dumps(doc).encode()
    js += b" " * (-len(js) % 4)
    rest = data[20 + jlen:]
    return struct.pack("<III", 0x46546C67, 2, 20 + len(js) + len(rest)) + struct.pack("<II", len(js), 0x4E4F534A) \
        + js + rest


@pytest.fixture(scope="module")
def files(clip, body, tmp_path_factory):
    d = tmp_path_factory.mktemp("glb")
    return {
        (colors, expr): write_glb(clip, d / f"{colors}_{expr}.glb", body, expressions=expr, colors=colors)
        for colors in ("regions", "vertex") for expr in (True, False)
    }


@pytest.fixture(scope="module")
def posed(clip, body):
    return body(clip).vertices.numpy()


def test_structure(files, glb_module, clip):
    info = files[("regions", True)]
    assert info.frames == clip.num_frames and info.joints == 55 and info.morph_targets == 50
    assert info.size_bytes == info.path.stat().st_size
    g = glb_module.Glb(info.path.read_bytes())
    doc = g.json
    assert doc["asset"]["version"] == "2.0"
    assert doc["asset"]["extras"]["text"] == clip.text and doc["asset"]["extras"]["language"] == "ASL"
    skin = doc["skins"][0]
    assert [doc["nodes"][j]["name"] for j in skin["joints"]] == list(SMPLX_JOINT_NAMES)
    names = {m["name"] for m in doc["materials"]}
    assert {"skin", "hair", "shirt", "trousers"} <= names
    anim = doc["animations"][0]
    paths = sorted(c["target"]["path"] for c in anim["channels"])
    assert paths.count("rotation") == 55 and paths.count("translation") == 1 and paths.count("weights") == 1
    np.testing.assert_allclose(g.keys(), np.arange(clip.num_frames) / clip.fps, atol=1e-6)
    mesh = doc["meshes"][0]
    assert mesh["extras"]["targetNames"][0] == "expression_00" and len(mesh["weights"]) == 50
    # rotations: unit quaternions, consecutive keys in the same hemisphere
    for ch in anim["channels"]:
        if ch["target"]["path"] == "rotation":
            q = g.accessor(anim["samplers"][ch["sampler"]]["output"])
            np.testing.assert_allclose(np.linalg.norm(q, axis=1), 1, atol=1e-6)
            assert (np.einsum("tc,tc->t", q[1:], q[:-1]) >= 0).all()
    # sizes: the expression targets are the bulk; animation is small per frame
    small = files[("regions", False)].size_bytes
    assert 0.8e6 < small < 1.5e6
    assert 1.5e6 < info.size_bytes - small < 3e6


@pytest.mark.parametrize("colors", ["regions", "vertex"])
@pytest.mark.parametrize("expressions", [True, False])
def test_skinning_the_file_reproduces_the_body(files, glb_module, clip, body, posed, colors, expressions):
    """Linear blend skinning of the file's own accessors at a few frames matches BodyModel within a few mm."""
    g = glb_module.Glb(files[(colors, expressions)].path.read_bytes())
    if not expressions:
        flat = PoseSequence.from_params({k: v for k, v in clip.params.items() if k != "expression"},
                                        betas=clip.betas, fps=clip.fps)
        target = body(flat).vertices.numpy()
    else:
        target = posed
    rest_body = (body.v_template + torch_einsum(body, clip.betas)).numpy()
    # file vertices -> body vertices with the same rest position (a few coincide, e.g. along the lips)
    lookup: dict[bytes, list[int]] = {}
    for i, p in enumerate(rest_body.astype(np.float32)):
        lookup.setdefault(p.tobytes(), []).append(i)
    total = 0
    for key in (0, clip.num_frames // 2, clip.num_frames - 1):
        errs = []
        for rest, skinned in g.skinned_primitives(key):
            cand = [lookup[p.astype(np.float32).tobytes()] for p in rest]
            for p, ids in zip(skinned, cand):
                errs.append(min(np.linalg.norm(target[key, i] - p) for i in ids))
        errs = np.asarray(errs)
        total = len(errs)
        assert np.median(errs) < 1e-4, f"frame {key}: median error {np.median(errs) * 1000:.3f} mm"
        # the built-in body drops at most 4e-6 of weight to the top 4: well under a millimetre
        assert errs.max() < 0.001, f"frame {key}: max error {errs.max() * 1000:.2f} mm"
    assert total >= body.num_vertices


def torch_einsum(body, betas):
    import torch

    return torch.einsum("l,vcl->vc", torch.as_tensor(betas, dtype=torch.float32), body.shapedirs)


@pytest.mark.parametrize("key", [("regions", True), ("vertex", True), ("regions", False)])
def test_khronos_validator_accepts_the_files(files, validate, key):
    rc, report = validate(files[key].path)
    issues = report["issues"]
    assert rc == 0 and issues["numErrors"] == 0, issues["messages"][:10]
    assert issues["numWarnings"] == 0, issues["messages"][:10]
    info = report["info"]
    assert info["animationCount"] == 1 and info["hasSkins"] and info["maxInfluences"] == 4
    assert info["hasMorphTargets"] == key[1]


def test_khronos_validator_rejects_broken_files(files, validate, tmp_path):
    data = files[("regions", True)].path.read_bytes()

    def bad_channel(doc):
        doc["animations"][0]["channels"][0]["target"]["node"] = 999

    broken = tmp_path / "broken.glb"
    broken.write_bytes(_repack(data, bad_channel))
    rc, report = validate(broken)
    assert rc == 1 and report["issues"]["numErrors"] > 0
    assert any(m["code"] == "UNRESOLVED_REFERENCE" for m in report["issues"]["messages"])

    def wrong_bounds(doc):
        acc = doc["meshes"][0]["primitives"][0]["attributes"]["POSITION"]
        doc["accessors"][acc]["max"] = [9.0, 9.0, 9.0]

    broken.write_bytes(_repack(data, wrong_bounds))
    rc, report = validate(broken)
    assert rc == 1 and any(m["code"] == "ACCESSOR_MAX_MISMATCH" for m in report["issues"]["messages"])

    truncated = tmp_path / "truncated.glb"
    truncated.write_bytes(data[: len(data) // 2])
    rc, report = validate(truncated)
    assert rc != 0


def test_bytes_equal_the_file(files, clip, body):
    assert glb_bytes(clip, body, expressions=False) == files[("regions", False)].path.read_bytes()


def test_errors_are_clear_and_leave_no_file(clip, body, tmp_path, monkeypatch):
    import signspark.export.gltf as gltf

    out = tmp_path / "x.glb"
    with pytest.raises(GltfExportError, match=r"\.glb"):
        write_glb(clip, tmp_path / "x.gltf", body)
    with pytest.raises(GltfExportError, match="colors must be one of"):
        write_glb(clip, out, body, colors="rainbow")
    with pytest.raises(GltfExportError, match="expected a PoseSequence"):
        write_glb({"body_pose": np.zeros((2, 63))}, out, body)
    monkeypatch.setattr(gltf, "MAX_EXPORT_FRAMES", clip.num_frames - 1)
    with pytest.raises(GltfExportError, match=f"{clip.num_frames} frames; at most {clip.num_frames - 1}"):
        write_glb(clip, out, body)
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_a_failed_write_keeps_the_old_file(clip, body, tmp_path, monkeypatch):
    import signspark.export.gltf as gltf

    out = tmp_path / "x.glb"
    out.write_bytes(b"old")

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(gltf, "_pack_glb", boom)
    with pytest.raises(RuntimeError):
        write_glb(clip, out, body)
    assert out.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["x.glb"]


def test_single_frame_clip(body, tmp_path, glb_module):
    info = write_glb(PoseSequence.zeros(1), tmp_path / "one.glb", body, expressions=False)
    g = glb_module.Glb(info.path.read_bytes())
    assert len(g.keys()) == 1


def test_a_body_without_region_labels_is_all_skin(clip, body, monkeypatch, validate, tmp_path, glb_module):
    """Licensed SMPL-X files carry no region labels: one primitive, one skin material."""
    monkeypatch.setattr(body, "vertex_regions", None)
    info = write_glb(clip, tmp_path / "plain.glb", body, expressions=False)
    g = glb_module.Glb(info.path.read_bytes())
    assert [m["name"] for m in g.json["materials"]] == ["skin"]
    assert info.vertices == body.num_vertices
    rc, report = validate(info.path)
    assert rc == 0, report["issues"]["messages"][:5]
