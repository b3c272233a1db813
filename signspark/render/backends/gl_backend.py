"""OpenGL backends through moderngl with a headless EGL context (Mesa llvmpipe on a CPU).

* :class:`GLSplatBackend` draws Gaussians as instanced quads, one per Gaussian,
  spanning its footprint ellipse (``SIGMA_CUTOFF`` sigmas), sorted back to front and blended with "over"
  (premultiplied alpha); the fragment shader evaluates the conic. Projection is
  the shared :func:`~signspark.render.gaussians.project_gaussians`, so the image
  matches the PyTorch rasterizer up to float rounding.
* :class:`GLMeshBackend` draws the plain triangle mesh with per-vertex colours and
  simple headlight shading.

A machine without EGL needs ``apt-get install libegl1 libgl1-mesa-dri``.
"""

from __future__ import annotations

import threading

import numpy as np
import torch

from ..camera import Camera
from .. import gaussians
from ..gaussians import Gaussians, Projected, project_gaussians
from .base import Backend, FrameData

__all__ = ["GLSplatBackend", "GLMeshBackend", "create_context", "splat_instances"]

_SPLAT_VS = """
#version 330
in vec2 corner;
in vec2 center;
in vec2 ax1;
in vec2 ax2;
in vec3 conic;
in vec4 rgba;
uniform vec2 size;
out vec2 d;
flat out vec3 v_conic;
flat out vec4 v_rgba;
void main() {
    d = corner.x * ax1 + corner.y * ax2;
    vec2 p = center + d;
    // Image row v maps to framebuffer row v, so the read-back needs no vertical flip.
    gl_Position = vec4(2.0 * p.x / size.x - 1.0, 2.0 * p.y / size.y - 1.0, 0.0, 1.0);
    v_conic = conic;
    v_rgba = rgba;
}
"""

_SPLAT_FS = """
#version 330
in vec2 d;
flat in vec3 v_conic;
flat in vec4 v_rgba;
out vec4 frag;
void main() {
    float q = v_conic.x * d.x * d.x + 2.0 * v_conic.y * d.x * d.y + v_conic.z * d.y * d.y;
    if (q > SIGMA_CUTOFF2) discard;
    float a = min(0.99, v_rgba.a * exp(-0.5 * q));
    if (a < 1.0 / 255.0) discard;
    frag = vec4(v_rgba.rgb * a, a);
}
"""

_MESH_VS = """
#version 330
in vec3 position;
in vec3 normal;
in vec3 color;
uniform mat4 view;
uniform mat4 proj;
out vec3 v_n;
out vec3 v_c;
void main() {
    vec4 pc = view * vec4(position, 1.0);
    gl_Position = proj * pc;
    v_n = mat3(view) * normal;
    v_c = color;
}
"""

_MESH_FS = """
#version 330
in vec3 v_n;
in vec3 v_c;
out vec4 frag;
void main() {
    vec3 n = normalize(v_n);
    // Camera axes: +z forward, +y down. Key light above the camera, weak fill from the side.
    vec3 key = normalize(vec3(0.25, -0.6, -1.0));
    vec3 fill = normalize(vec3(-0.8, 0.1, -0.6));
    float l = 0.42 + 0.5 * max(dot(n, key), 0.0) + 0.15 * max(dot(n, fill), 0.0);
    frag = vec4(v_c * l, 1.0);
}
"""

_CTX = threading.local()


def create_context():
    """This thread's headless moderngl context (EGL), made once per thread; raises if none can be made.

    An EGL context is current in the thread that made it only, so a server rendering in worker
    threads (the Gradio demo) needs one per thread.
    """
    ctx = getattr(_CTX, "ctx", None)
    if ctx is None:
        import moderngl

        ctx = _CTX.ctx = moderngl.create_context(standalone=True, backend="egl")
    return ctx


def _gl_availability() -> tuple[bool, str]:
    try:
        import moderngl  # noqa: F401
    except ImportError:
        return False, "moderngl is not installed (pip install moderngl)"
    try:
        ctx = create_context()
    except Exception as e:  # missing libEGL, no driver ...
        return False, f"no EGL OpenGL context ({type(e).__name__}: {e}); install libegl1 and libgl1-mesa-dri"
    if ctx.version_code < 330:
        return False, f"OpenGL 3.3 is needed, the EGL context offers {ctx.version_code}"
    return True, ""


class _GLBase(Backend):
    def __init__(self, float_target: bool = True):
        self.ctx = create_context()
        self._fbo = None
        self._fbo_size = None
        self._float = float_target
        self._readbuf = None

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        return _gl_availability()

    def _target(self, width: int, height: int, depth: bool):
        if self._fbo_size != (width, height):
            if self._fbo is not None:
                self._fbo.release()
            color = self.ctx.renderbuffer((width, height), 4, dtype="f4" if self._float else "f1")
            depth_rb = self.ctx.depth_renderbuffer((width, height)) if depth else None
            self._fbo = self.ctx.framebuffer(color_attachments=[color], depth_attachment=depth_rb)
            self._fbo_size = (width, height)
        self._fbo.use()
        return self._fbo

    def _read(self, width: int, height: int, flipped: bool = True, fbo=None) -> np.ndarray:
        """A target (default: this backend's) as (H, W, 3) uint8; ``flipped``: GL rows run bottom-up."""
        fbo = fbo if fbo is not None else self._fbo
        if self._float:
            if self._readbuf is None or self._readbuf.shape != (height, width, 3):
                self._readbuf = np.empty((height, width, 3), np.float32)
            fbo.read_into(self._readbuf, components=3, dtype="f4")
            buf = torch.from_numpy(self._readbuf)
            if flipped:
                buf = buf.flip(0)
            return buf.mul(255.0).add_(0.5).clamp_(0, 255).to(torch.uint8).numpy()
        img = np.frombuffer(fbo.read(components=3), np.uint8).reshape(height, width, 3)
        return np.ascontiguousarray(img[::-1]) if flipped else img.copy()

    def close(self) -> None:
        if self._fbo is not None:
            self._fbo.release()
            self._fbo = None
            self._fbo_size = None


def splat_instances(p: Projected) -> np.ndarray:
    """(M, 13) float32 per-Gaussian quad data, back to front: centre (2), the footprint ellipse's
    semi-axes (2 + 2), conic (3), RGB (3), opacity (1)."""
    M = len(p)
    inst = torch.empty(M, 13, dtype=torch.float32)
    if not M:
        return inst.numpy()
    ax1, ax2 = p.ellipse_axes()
    inst[:, 0:2] = p.means2d
    inst[:, 2:4] = ax1
    inst[:, 4:6] = ax2
    inst[:, 6:9] = p.conics
    inst[:, 9:12] = p.colors
    inst[:, 12] = p.opacities
    order = torch.argsort(p.depths.float(), descending=True)
    return inst.index_select(0, order).numpy()


def _gl_flush():
    """``glFlush`` of the current context, or None when libGL cannot be loaded.

    moderngl has no flush; without one, Mesa's llvmpipe starts rasterizing only when the
    image is read back, and the CPU cannot prepare the next frame in the meantime.
    """
    import ctypes

    for name in ("libGL.so.1", "libGL.so", "libOpenGL.so.0"):
        try:
            fn = ctypes.CDLL(name).glFlush
        except (OSError, AttributeError):
            continue
        fn.restype = None
        fn.argtypes = []
        return fn
    return None


class GLSplatBackend(_GLBase):
    """Gaussian splats as sorted instanced quads with a conic fragment shader.

    Two framebuffers and instance buffers let one frame rasterize (in llvmpipe's threads)
    while the next is prepared: see :meth:`submit`.
    """

    name = "gl"
    draws = "gaussians"
    max_in_flight = 2

    def __init__(self, float_target: bool = True):
        super().__init__(float_target)
        ctx = self.ctx
        fs = _SPLAT_FS.replace("SIGMA_CUTOFF2", repr(float(gaussians.SIGMA_CUTOFF2)))
        self.prog = ctx.program(vertex_shader=_SPLAT_VS, fragment_shader=fs)
        corners = np.array([-1, -1, 1, -1, -1, 1, 1, 1], np.float32)
        self.corner_buf = ctx.buffer(corners.tobytes())
        self._slots = [dict(fbo=None, size=None, buf=None, vao=None, cap=0, busy=False) for _ in range(2)]
        self._next = 0
        self._flush = _gl_flush()

    def _prepare_slot(self, slot: dict, W: int, H: int, n: int):
        ctx = self.ctx
        if slot["size"] != (W, H):
            if slot["fbo"] is not None:
                slot["fbo"].release()
            color = ctx.renderbuffer((W, H), 4, dtype="f4" if self._float else "f1")
            slot["fbo"] = ctx.framebuffer(color_attachments=[color])
            slot["size"] = (W, H)
        if n > slot["cap"]:
            cap = max(n, int(slot["cap"] * 1.5), 1024)
            if slot["buf"] is not None:
                slot["vao"].release()
                slot["buf"].release()
            slot["buf"] = ctx.buffer(reserve=cap * 13 * 4, dynamic=True)
            slot["vao"] = ctx.vertex_array(self.prog, [
                (self.corner_buf, "2f", "corner"),
                (slot["buf"], "2f 2f 2f 3f 4f/i", "center", "ax1", "ax2", "conic", "rgba"),
            ])
            slot["cap"] = cap

    def submit(self, frame: FrameData, camera: Camera, background):
        if frame.gaussians is None:
            raise ValueError("the gl backend draws Gaussians; the frame has none")
        W, H = camera.width, camera.height
        with torch.no_grad():
            g = frame.gaussians
            if g.means.device.type != "cpu" or g.means.dtype != torch.float32:
                g = g.to("cpu")
                g = Gaussians(*(t.float() if t is not None else None for t in g._values()))
            inst = splat_instances(project_gaussians(g, camera))
        k = self._next
        slot = self._slots[k]
        if slot["busy"]:
            raise RuntimeError(f"the gl backend holds at most {self.max_in_flight} frames in flight; fetch one first")
        n = len(inst)
        self._prepare_slot(slot, W, H, n)
        ctx = self.ctx
        slot["fbo"].use()
        ctx.viewport = (0, 0, W, H)
        ctx.disable(ctx.DEPTH_TEST | ctx.CULL_FACE)
        ctx.enable(ctx.BLEND)
        ctx.blend_func = (ctx.ONE, ctx.ONE_MINUS_SRC_ALPHA)
        slot["fbo"].clear(*(float(x) for x in background), 1.0)
        if n:
            slot["buf"].write(inst)
            self.prog["size"].value = (float(W), float(H))
            slot["vao"].render(mode=ctx.TRIANGLE_STRIP, vertices=4, instances=n)
        ctx.disable(ctx.BLEND)
        if self._flush is not None:
            self._flush()  # start rasterizing now, in the driver's threads
        slot["busy"] = True
        self._next = (k + 1) % len(self._slots)
        return k

    def fetch(self, token) -> np.ndarray:
        slot = self._slots[token]
        if not slot["busy"]:
            raise RuntimeError("this gl frame was already fetched")
        slot["busy"] = False
        W, H = slot["size"]
        return self._read(W, H, flipped=False, fbo=slot["fbo"])

    def render(self, frame: FrameData, camera: Camera, background) -> np.ndarray:
        return self.fetch(self.submit(frame, camera, background))

    def close(self) -> None:
        super().close()
        for slot in self._slots:
            for key in ("vao", "buf", "fbo"):
                if slot[key] is not None:
                    slot[key].release()
            slot.update(fbo=None, size=None, buf=None, vao=None, cap=0, busy=False)


def vertex_normals(vertices: torch.Tensor, faces: torch.Tensor) -> torch.Tensor:
    """(V, 3) unit area-weighted vertex normals of a triangle mesh."""
    v = vertices[faces]  # (F, 3, 3)
    fn = torch.linalg.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0])
    n = torch.zeros_like(vertices)
    for k in range(3):
        n.index_add_(0, faces[:, k], fn)
    return n / n.norm(dim=-1, keepdim=True).clamp_min(1e-12)


class GLMeshBackend(_GLBase):
    """The posed triangle mesh, per-vertex colours, headlight shading."""

    name = "mesh"
    draws = "mesh"

    def __init__(self):
        super().__init__(float_target=False)
        self.prog = self.ctx.program(vertex_shader=_MESH_VS, fragment_shader=_MESH_FS)
        self._bufs = None
        self._ibo = None
        self._faces_key = None
        self.vao = None

    def render(self, frame: FrameData, camera: Camera, background) -> np.ndarray:
        if frame.vertices is None or frame.faces is None:
            raise ValueError("the mesh backend needs vertices and faces")
        W, H = camera.width, camera.height
        verts = frame.vertices.detach().to("cpu", torch.float32)
        faces = frame.faces.detach().to("cpu", torch.int64)
        colors = frame.vertex_colors
        if colors is None:
            colors = torch.full_like(verts, 0.8)
        normals = vertex_normals(verts, faces)
        data = torch.cat([verts, normals, colors.detach().to("cpu", torch.float32)], 1).contiguous().numpy()
        ctx = self.ctx
        key = (faces.shape[0], int(faces.sum()), verts.shape[0])
        if self._faces_key != key:
            for obj in (self.vao, self._bufs, self._ibo):
                if obj is not None:
                    obj.release()
            self._bufs = ctx.buffer(data.tobytes(), dynamic=True)
            self._ibo = ctx.buffer(faces.to(torch.int32).numpy().tobytes())
            self.vao = ctx.vertex_array(self.prog, [(self._bufs, "3f 3f 3f", "position", "normal", "color")],
                                        index_buffer=self._ibo, index_element_size=4)
            self._faces_key = key
        else:
            self._bufs.write(data.tobytes())
        self.prog["view"].write(camera.viewmat.numpy().T.astype(np.float32).tobytes())
        self.prog["proj"].write(camera.gl_projection().T.astype(np.float32).tobytes())
        fbo = self._target(W, H, depth=True)
        ctx.viewport = (0, 0, W, H)
        ctx.enable(ctx.DEPTH_TEST)
        ctx.disable(ctx.BLEND | ctx.CULL_FACE)
        fbo.clear(*(float(x) for x in background), 1.0, depth=1.0)
        self.vao.render()
        ctx.disable(ctx.DEPTH_TEST)
        return self._read(W, H)

    def close(self) -> None:
        super().close()
        for obj in (self.vao, self._bufs, self._ibo):
            if obj is not None:
                obj.release()
        self.vao = self._bufs = self._ibo = None
        self._faces_key = None
