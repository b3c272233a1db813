import numpy as np
import pytest
import torch

from signspark.pose import PoseSequence
from signspark.render import available_backends, camera_for_view, get_backend
from signspark.render.backends.base import BackendUnavailableError, FrameData, backend_status
from signspark.render.backends.skeleton_backend import LEFT_COLOR, RIGHT_COLOR
from signspark.render.lighting import shade_and_cull

# GL (float framebuffer) and PyTorch rasterize the same projected Gaussians with the same rule;
# measured mean difference is about 2e-5 levels per channel. Bound with room for driver rounding:
AGREEMENT_MEAN_ABS = 0.5  # 8-bit levels per channel, averaged over the image
AGREEMENT_MAX_FRACTION_OFF_BY_MORE_THAN_2 = 0.002


@pytest.fixture(scope="module")
def posed(builtin_body, builtin_avatar):
    seq = PoseSequence.zeros(1)
    bp = seq.params["body_pose"].reshape(1, 21, 3)
    bp[:, 15, 2], bp[:, 16, 2] = -1.1, 1.1
    bp[:, 17, 1], bp[:, 18, 1] = -1.6, 1.6
    seq.params["body_pose"] = bp.reshape(1, 63)
    rh = seq.params["right_hand_pose"].reshape(1, 15, 3)
    rh[:, 6:12, 2] = 1.2  # bend the pinky and ring fingers
    out = builtin_body(seq)
    return out, builtin_avatar.pose(out.vertices[0], builtin_body.faces)


def test_cpu_splat_backends_agree(posed):
    ok, why = backend_status("gl")
    if not ok:
        pytest.skip(f"OpenGL/EGL unavailable: {why}")
    out, g = posed
    cam = camera_for_view("front", out.joints, 160, 160)
    frame = FrameData(gaussians=shade_and_cull(g, cam))
    a = get_backend("torch").render(frame, cam, (1, 1, 1)).astype(np.float64)
    b = get_backend("gl").render(frame, cam, (1, 1, 1)).astype(np.float64)
    assert (a < 250).mean() > 0.1  # the avatar covers a good part of the frame
    diff = np.abs(a - b)
    assert diff.mean() < AGREEMENT_MEAN_ABS
    assert (diff > 2).mean() < AGREEMENT_MAX_FRACTION_OFF_BY_MORE_THAN_2


def test_skeleton_draws_both_hands_in_their_colours(posed):
    out, _ = posed
    cam = camera_for_view("front", out.joints, 256, 256)
    img = get_backend("skeleton").render(FrameData(joints=out.joints[0]), cam, (1, 1, 1))
    assert (img.sum(-1) < 700).mean() > 0.01  # not blank
    uv, _ = cam.project(out.joints[0])

    def near(idx, colour_set):
        u, v = uv[idx].round().int().tolist()
        patch = img[max(v - 6, 0):v + 7, max(u - 6, 0):u + 7].reshape(-1, 3).astype(int)
        return any((np.abs(patch - np.array(c)).sum(1) < 60).any() for c in colour_set)

    from signspark.render.backends.skeleton_backend import _FINGER_SHADES

    # Fingertips (66-70 left, 71-75 right) carry the hand's finger shades.
    assert all(near(i, _FINGER_SHADES["left"]) for i in range(66, 71))
    assert all(near(i, _FINGER_SHADES["right"]) for i in range(71, 76))
    assert near(18, [LEFT_COLOR]) and near(19, [RIGHT_COLOR])  # elbows


def test_mesh_backend_draws_the_body(builtin_body, posed):
    if not backend_status("mesh")[0]:
        pytest.skip(f"OpenGL/EGL unavailable: {backend_status('mesh')[1]}")
    out, _ = posed
    cam = camera_for_view("front", out.joints, 128, 128)
    img = get_backend("mesh").render(FrameData(vertices=out.vertices[0], faces=torch.from_numpy(builtin_body.faces)),
                                     cam, (0, 0, 0))
    assert (img.sum(-1) > 0).mean() > 0.1


def test_backend_selection():
    names = available_backends()
    assert "torch" in names and "skeleton" in names
    assert get_backend("auto").name == names[0]
    with pytest.raises(ValueError, match="unknown renderer backend"):
        get_backend("vulkan")
    if not torch.cuda.is_available():
        with pytest.raises(BackendUnavailableError, match="CUDA"):
            get_backend("gsplat")


@pytest.mark.gpu
def test_gsplat_matches_the_torch_rasterizer(posed):
    from signspark.render.backends.torch_backend import TorchSplatBackend

    out, g = posed
    cam = camera_for_view("front", out.joints, 256, 256)
    frame = FrameData(gaussians=shade_and_cull(g, cam))
    a = get_backend("gsplat").render(frame, cam, (1, 1, 1)).astype(np.float64)
    # Under the reference 3DGS rule (gsplat's): the bounds the CPU backends meet with each other.
    b = TorchSplatBackend(rule="3dgs").render(frame, cam, (1, 1, 1)).astype(np.float64)
    diff = np.abs(a - b)
    assert diff.mean() < AGREEMENT_MEAN_ABS
    assert (diff > 2).mean() < AGREEMENT_MAX_FRACTION_OFF_BY_MORE_THAN_2
    # Under the CPU backends' own rule (2.5-sigma footprints) silhouettes are a little harder.
    c = get_backend("torch").render(frame, cam, (1, 1, 1)).astype(np.float64)
    assert np.abs(a - c).mean() < 2.0


def test_gl_frames_in_flight_come_back_in_order_and_match_single_renders(posed):
    if not backend_status("gl")[0]:
        pytest.skip(f"OpenGL/EGL unavailable: {backend_status('gl')[1]}")
    out, g = posed
    cams = [camera_for_view(v, out.joints, 96, 96) for v in ("front", "hands", "three_quarter")]
    frames = [FrameData(gaussians=shade_and_cull(g, c)) for c in cams]
    be = get_backend("gl")
    single = [be.render(f, c, (1, 1, 1)) for f, c in zip(frames, cams)]
    assert be.max_in_flight == 2
    t0 = be.submit(frames[0], cams[0], (1, 1, 1))
    t1 = be.submit(frames[1], cams[1], (1, 1, 1))
    with pytest.raises(RuntimeError, match="in flight"):
        be.submit(frames[2], cams[2], (1, 1, 1))
    assert np.array_equal(be.fetch(t0), single[0])
    t2 = be.submit(frames[2], cams[2], (1, 1, 1))
    assert np.array_equal(be.fetch(t1), single[1])
    assert np.array_equal(be.fetch(t2), single[2])
    assert not np.array_equal(single[0], single[1])
    be.close()


def _gl_or_skip():
    ok, why = backend_status("gl")
    if not ok:
        pytest.skip(f"OpenGL/EGL unavailable: {why}")
    return get_backend("gl")


def test_gl_poses_a_surface_avatar_like_the_cpu_path(builtin_body, builtin_avatar, posed):
    """FrameData(avatar, vertices, faces): posing, culling and shading in the vertex shader give the
    image of GaussianAvatar.pose_for_camera drawn by the PyTorch rasterizer."""
    import dataclasses

    gl = _gl_or_skip()
    out, _ = posed
    recoloured = dataclasses.replace(builtin_avatar, color=builtin_avatar.color.flip(1).contiguous())
    for avatar in (builtin_avatar, recoloured):  # a new avatar replaces the cached constants
        for view in ("front", "three_quarter"):
            cam = camera_for_view(view, out.joints, 160, 160)
            a = gl.render(FrameData(avatar=avatar, vertices=out.vertices[0], faces=builtin_body.faces), cam,
                          (1, 1, 1)).astype(np.float64)
            g = avatar.pose_for_camera(out.vertices[0], builtin_body.faces, cam)
            b = get_backend("torch").render(FrameData(gaussians=g), cam, (1, 1, 1)).astype(np.float64)
            c = gl.render(FrameData(gaussians=g), cam, (1, 1, 1)).astype(np.float64)
            assert (a < 250).mean() > 0.1
            diff = np.abs(a - b)
            assert diff.mean() < AGREEMENT_MEAN_ABS, (view, diff.mean())
            assert (diff > 2).mean() < AGREEMENT_MAX_FRACTION_OFF_BY_MORE_THAN_2, view
            assert np.abs(a - c).mean() < 0.05  # the same Gaussians, posed on the GPU or the CPU
    gl.close()


def test_gl_avatar_frames_are_checked(builtin_body, builtin_avatar, posed):
    import dataclasses

    gl = _gl_or_skip()
    out, _ = posed
    cam = camera_for_view("front", out.joints, 64, 64)
    with pytest.raises(ValueError, match="surface avatars only"):
        gl.render(FrameData(avatar=dataclasses.replace(builtin_avatar, surface=False), vertices=out.vertices[0],
                            faces=builtin_body.faces), cam, (1, 1, 1))
    with pytest.raises(ValueError, match="triangles"):
        gl.render(FrameData(avatar=builtin_avatar, vertices=out.vertices[0], faces=builtin_body.faces[:-1]),
                  cam, (1, 1, 1))
    with pytest.raises(ValueError, match="neither"):
        gl.render(FrameData(vertices=out.vertices[0]), cam, (1, 1, 1))
    gl.close()


def test_gl_context_falls_back_from_egl_to_the_platform_context(monkeypatch):
    """Without EGL (macOS, Windows) the platform's own standalone context is used; with neither, the
    error names both attempts."""
    import threading

    moderngl = pytest.importorskip("moderngl")
    from signspark.render.backends import gl_backend

    calls, results = [], {}

    def fake(standalone=True, backend=None, **kw):
        calls.append(backend)
        if backend == "egl" or results.get("fail_all"):
            raise RuntimeError(f"no {backend or 'platform'} context")
        return "platform-context"

    monkeypatch.setattr(moderngl, "create_context", fake)

    def run():  # contexts are per thread: a fresh thread has none yet
        try:
            results["ctx"] = gl_backend.create_context()
        except RuntimeError as e:
            results["error"] = str(e)

    t = threading.Thread(target=run)
    t.start()
    t.join()
    assert results["ctx"] == "platform-context" and calls == ["egl", None]
    results["fail_all"] = True
    t = threading.Thread(target=run)
    t.start()
    t.join()
    assert "egl: RuntimeError" in results["error"] and "platform default" in results["error"]


def test_gl_programs_are_compiled_once_per_context(posed):
    """moderngl never frees GL objects by itself: a program compiled per render call leaked ~7 MB a
    request in the demo server. Backends of one thread share the context's programs."""
    for name in ("gl", "mesh"):
        if not backend_status(name)[0]:
            pytest.skip(f"OpenGL/EGL unavailable: {backend_status(name)[1]}")
        a, b = get_backend(name), get_backend(name)
        try:
            assert a.prog is b.prog and a.ctx is b.ctx
        finally:
            a.close()
            b.close()
    programs = get_backend("gl").ctx.extra["signspark_programs"]
    assert len(programs) == 3  # splat, avatar splat, mesh


def test_gl_render_releases_every_gl_object_it_makes(posed, monkeypatch):
    """Renderbuffers behind a released framebuffer are not released by moderngl: count them."""
    if not backend_status("gl")[0]:
        pytest.skip(f"OpenGL/EGL unavailable: {backend_status('gl')[1]}")
    import moderngl

    from signspark.render import RenderOptions, render_frames

    seq = PoseSequence.zeros(3)
    list(render_frames(seq, RenderOptions(backend="gl", size=64)))  # the context and its programs exist now
    live = {}
    for meth in ("buffer", "vertex_array", "texture", "renderbuffer", "depth_renderbuffer", "framebuffer"):
        orig = getattr(moderngl.Context, meth)

        def made(self, *a, _orig=orig, **k):
            obj = _orig(self, *a, **k)
            live[id(obj)] = obj
            return obj
        monkeypatch.setattr(moderngl.Context, meth, made)
    for cls in (moderngl.Buffer, moderngl.VertexArray, moderngl.Texture, moderngl.Renderbuffer, moderngl.Framebuffer):
        orig = cls.release

        def released(self, _orig=orig):
            live.pop(id(self), None)
            return _orig(self)
        monkeypatch.setattr(cls, "release", released)
    for _ in range(2):
        list(render_frames(seq, RenderOptions(backend="gl", size=64)))
    assert not live, sorted({type(o).__name__ for o in live.values()})
