"""OpenGL backends through moderngl with a headless EGL context (Mesa llvmpipe on a CPU).

* :class:`GLSplatBackend` draws Gaussians as quads (one vertex per Gaussian, expanded by a
  geometry shader) spanning the footprint ellipse (``SIGMA_CUTOFF`` sigmas), sorted back to front and blended
  with "over" (premultiplied alpha); the fragment shader evaluates the conic. The vertex shader
  does the EWA projection of :func:`~signspark.render.gaussians.project_gaussians` (same
  formulas and culling rules), so the image matches the PyTorch rasterizer up to float and
  8-bit blending rounding, and the CPU only sorts.
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
from ..gaussians import Gaussians
from .base import Backend, FrameData

__all__ = ["GLSplatBackend", "GLMeshBackend", "create_context", "splat_instances"]

# The EWA projection of project_gaussians() in GLSL: same formulas and culling rules. Inputs are one
# Gaussian (world centre, the rows of M = R diag(scale), colour); outputs its image centre, 2D
# covariance, the footprint's bounding-box half-extents, conic and colour, and whether it is drawn.
_PROJECT_GLSL = """
in vec3 mean;     // world centre, metres
in vec3 m0;       // rows of M = R diag(scale): the Gaussian's scaled axes are M's columns
in vec3 m1;
in vec3 m2;
in vec4 rgba;
uniform mat3 rot;        // world -> camera rotation
uniform vec3 trans;      // world -> camera translation
uniform vec2 size;       // image width, height (pixels)
uniform float focal;     // pixels
uniform vec2 lim;        // clamp of x/z and y/z for the Jacobian
uniform vec2 depth_range;  // near, far (metres)
out vec3 g_conic;
out vec4 g_rgba;

// Returns false when the Gaussian is not drawn; sets its centre (pixels) and 2D covariance (a, b, c).
bool project(out vec2 center, out vec3 cov, out vec2 extent) {
    vec3 p = rot * mean + trans;
    float inv_z = 1.0 / max(p.z, depth_range.x);
    float fz = focal * inv_z;
    float jx = -fz * clamp(p.x * inv_z, -lim.x, lim.x);
    float jy = -fz * clamp(p.y * inv_z, -lim.y, lim.y);
    // Columns of ct are the rows of C = rot * M (the axes in camera space).
    mat3 ct = mat3(m0, m1, m2) * transpose(rot);
    vec3 t0 = fz * ct[0] + jx * ct[2];
    vec3 t1 = fz * ct[1] + jy * ct[2];
    float a = dot(t0, t0) + EPS2D;
    float b = dot(t0, t1);
    float c = dot(t1, t1) + EPS2D;
    center = vec2(fz * p.x, fz * p.y) + 0.5 * size;
    cov = vec3(a, b, c);
    extent = SIGMA_CUTOFF * sqrt(vec2(a, c));
    float det = max(a * c - b * b, 1e-12);
    g_conic = vec3(c / det, -b / det, a / det);
    g_rgba = rgba;
    return p.z > depth_range.x && p.z < depth_range.y && rgba.a > ALPHA_MIN
        && center.x + extent.x > 0.0 && center.x - extent.x < size.x
        && center.y + extent.y > 0.0 && center.y - extent.y < size.y;
}

"""

# One vertex per Gaussian: the projection and the footprint ellipse's semi-axes (Projected.ellipse_axes).
_SPLAT_VS = "#version 330\n" + _PROJECT_GLSL + """
out vec2 g_ax1;
out vec2 g_ax2;
out float g_keep;
void main() {
    vec2 center; vec3 cov; vec2 extent;
    g_keep = project(center, cov, extent) ? 1.0 : 0.0;
    float a = cov.x, b = cov.y, c = cov.z;
    float mid = 0.5 * (a + c);
    float disc = sqrt(max(0.25 * (a - c) * (a - c) + b * b, 0.0));
    float l1 = mid + disc;
    float l2 = max(mid - disc, 1e-8);
    vec2 w1 = vec2(b, l1 - a);
    vec2 w2 = vec2(l1 - c, b);
    vec2 w = length(w1) >= length(w2) ? w1 : w2;
    float n = length(w);
    vec2 e1 = n > 1e-12 ? w / n : vec2(1.0, 0.0);
    g_ax1 = (SIGMA_CUTOFF * sqrt(l1)) * e1;
    g_ax2 = (SIGMA_CUTOFF * sqrt(l2)) * vec2(-e1.y, e1.x);
    gl_Position = vec4(center, 0.0, 1.0);  // pixels; the geometry shader maps the quad to clip space
}
"""

# The quad spanning the footprint ellipse, made from the Gaussian's vertex (one vertex per Gaussian
# and no instancing: far less per-primitive work for llvmpipe than instanced quads).
_SPLAT_GS = """
#version 330
layout(points) in;
layout(triangle_strip, max_vertices = 4) out;
in vec3 g_conic[];
in vec4 g_rgba[];
in vec2 g_ax1[];
in vec2 g_ax2[];
in float g_keep[];
uniform vec2 size;
out vec2 d;
flat out vec3 v_conic;
flat out vec4 v_rgba;
void main() {
    if (g_keep[0] < 0.5) return;
    vec2 c = gl_in[0].gl_Position.xy;
    for (int k = 0; k < 4; k++) {
        vec2 corner = vec2((k & 1) == 0 ? -1.0 : 1.0, (k & 2) == 0 ? -1.0 : 1.0);
        d = corner.x * g_ax1[0] + corner.y * g_ax2[0];
        v_conic = g_conic[0];
        v_rgba = g_rgba[0];
        // Image row v maps to framebuffer row v, so the read-back needs no vertical flip.
        vec2 q = c + d;
        gl_Position = vec4(2.0 * q / size - 1.0, 0.0, 1.0);
        EmitVertex();
    }
    EndPrimitive();
}
"""

_SPLAT_FS = """
#version 330
in vec2 d;
flat in vec3 v_conic;
flat in vec4 v_rgba;
out vec4 frag;
void main() {
    SPLAT_ALPHA
}
"""

# The compositing rule of signspark.render.gaussians, for the offset d (pixels) from the centre.
_SPLAT_ALPHA = """
    float q = v_conic.x * d.x * d.x + 2.0 * v_conic.y * d.x * d.y + v_conic.z * d.y * d.y;
    if (q > SIGMA_CUTOFF2) discard;
    float a = min(ALPHA_MAX, v_rgba.a * exp(-0.5 * q));
    if (a < ALPHA_MIN) discard;
    frag = vec4(v_rgba.rgb * a, a);
"""


def _shader(src: str) -> str:
    """``src`` with the compositing rule and the constants of :mod:`signspark.render.gaussians` filled in."""
    src = src.replace("SPLAT_ALPHA", _SPLAT_ALPHA.strip())
    for name in ("SIGMA_CUTOFF2", "SIGMA_CUTOFF", "EPS2D", "ALPHA_MIN", "ALPHA_MAX"):  # SIGMA_CUTOFF2 first
        src = src.replace(name, repr(float(getattr(gaussians, name))))
    return src


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

    def _read(self, width: int, height: int, flipped: bool = True, fbo=None, offset: int = 0) -> np.ndarray:
        """A target (default: this backend's) as (H, W, 3) uint8, from pixel (offset, offset) on;
        ``flipped``: GL rows run bottom-up."""
        fbo = fbo if fbo is not None else self._fbo
        vp = (offset, offset, width, height)
        if self._float:
            if self._readbuf is None or self._readbuf.shape != (height, width, 3):
                self._readbuf = np.empty((height, width, 3), np.float32)
            fbo.read_into(self._readbuf, viewport=vp, components=3, dtype="f4")
            buf = torch.from_numpy(self._readbuf)
            if flipped:
                buf = buf.flip(0)
            return buf.mul(255.0).add_(0.5).clamp_(0, 255).to(torch.uint8).numpy()
        img = np.frombuffer(fbo.read(viewport=vp, components=3), np.uint8).reshape(height, width, 3)
        return np.ascontiguousarray(img[::-1]) if flipped else img.copy()

    def close(self) -> None:
        if self._fbo is not None:
            self._fbo.release()
            self._fbo = None
            self._fbo_size = None


INSTANCE_FLOATS = 16


def splat_instances(g: Gaussians, camera: Camera) -> np.ndarray:
    """(M, 16) float32 per-Gaussian rows for the vertex shader, back to front: centre (3), the rows
    of ``M = R diag(scale)`` (9), RGB (3), opacity (1).

    Only the Gaussians between the near and far planes and visible enough are kept; the shaders
    do the rest of :func:`~signspark.render.gaussians.project_gaussians` (so the CPU never builds
    per-Gaussian 2D covariances).
    """
    V = camera.viewmat.to(g.means)
    depth = torch.addmv(V[2, 3].expand(g.means.shape[0]), g.means, V[2, :3])
    keep = (depth > camera.near) & (depth < camera.far) & (g.opacities > gaussians.ALPHA_MIN)
    idx = torch.nonzero(keep).squeeze(1)
    idx = idx.index_select(0, torch.argsort(depth.index_select(0, idx), descending=True))
    N = idx.shape[0]
    inst = torch.empty(N, INSTANCE_FLOATS, dtype=torch.float32)
    if N:
        inst[:, 0:3] = g.means.index_select(0, idx)
        inst[:, 3:12].view(N, 3, 3).copy_(
            g.rotation_matrices().index_select(0, idx) * g.scales.index_select(0, idx)[:, None, :])
        inst[:, 12:15] = g.colors.index_select(0, idx)
        inst[:, 15] = g.opacities.index_select(0, idx)
    return inst.numpy()


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
    """Gaussian splats, sorted back to front, with a conic fragment shader.

    One vertex per Gaussian: the vertex shader projects it, a geometry shader turns it into the
    quad spanning its footprint ellipse. Two framebuffers and vertex buffers let one frame
    rasterize (in llvmpipe's threads) while the next is prepared: see :meth:`submit`.
    """

    name = "gl"
    draws = "gaussians"
    max_in_flight = 2

    def __init__(self, float_target: bool = False):
        """``float_target``: blend in a float32 framebuffer instead of 8 bits per channel (slower on
        llvmpipe; the 8-bit image differs by about 0.1 level on average, at most a few levels)."""
        super().__init__(float_target)
        self.prog = self.ctx.program(vertex_shader=_shader(_SPLAT_VS), geometry_shader=_SPLAT_GS,
                                     fragment_shader=_shader(_SPLAT_FS))
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
            self._release_buffers(slot)
            slot["buf"] = ctx.buffer(reserve=cap * INSTANCE_FLOATS * 4, dynamic=True)
            slot["vao"] = ctx.vertex_array(self.prog, [(slot["buf"], "3f 3f 3f 3f 4f", "mean", "m0", "m1", "m2", "rgba")])
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
            inst = splat_instances(g, camera)
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
            self._set_camera(camera)
            slot["vao"].render(mode=ctx.POINTS, vertices=n)
        ctx.disable(ctx.BLEND)
        if self._flush is not None:
            self._flush()  # start rasterizing now, in the driver's threads
        slot["busy"] = True
        self._next = (k + 1) % len(self._slots)
        return k

    def _set_camera(self, camera: Camera) -> None:
        V = camera.viewmat.to(torch.float32).numpy()
        W, H, f = camera.width, camera.height, float(camera.focal)
        prog = self.prog
        prog["rot"].write(np.ascontiguousarray(V[:3, :3].T).tobytes())  # GLSL matrices are column-major
        prog["trans"].value = tuple(float(x) for x in V[:3, 3])
        prog["size"].value = (float(W), float(H))
        prog["focal"].value = f
        prog["lim"].value = (1.3 * 0.5 * W / f, 1.3 * 0.5 * H / f)
        prog["depth_range"].value = (float(camera.near), float(camera.far))

    def fetch(self, token) -> np.ndarray:
        slot = self._slots[token]
        if not slot["busy"]:
            raise RuntimeError("this gl frame was already fetched")
        slot["busy"] = False
        W, H = slot["size"]
        return self._read(W, H, flipped=False, fbo=slot["fbo"])

    def render(self, frame: FrameData, camera: Camera, background) -> np.ndarray:
        return self.fetch(self.submit(frame, camera, background))

    @staticmethod
    def _release_buffers(slot: dict) -> None:
        for key in ("vao", "buf"):
            if slot[key] is not None:
                slot[key].release()
                slot[key] = None
        slot["cap"] = 0

    def close(self) -> None:
        super().close()
        for slot in self._slots:
            self._release_buffers(slot)
            if slot["fbo"] is not None:
                slot["fbo"].release()
            slot.update(fbo=None, size=None, busy=False)


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
