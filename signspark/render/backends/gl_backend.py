"""OpenGL backends through moderngl with a headless context (EGL; Mesa llvmpipe on a CPU without a GPU).

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

import functools
import threading

import numpy as np
import torch

from ..camera import Camera
from .. import gaussians, lighting
from ..avatar import CULL_MARGIN, as_faces
from ..gaussians import Gaussians, quaternion_to_matrix
from .base import Backend, FrameData

__all__ = ["GLSplatBackend", "GLMeshBackend", "create_context", "splat_instances"]

# The EWA projection of project_gaussians() in GLSL: same formulas and culling rules. project() takes
# one Gaussian (world centre, M = R diag(scale) whose columns are its scaled axes, colour) and hands
# the geometry shader its image centre, conic, colour, footprint semi-axes (Projected.ellipse_axes)
# and whether it is drawn.
_PROJECT_GLSL = """
uniform mat3 rot;        // world -> camera rotation
uniform vec3 trans;      // world -> camera translation
uniform vec2 size;       // image width, height (pixels)
uniform float focal;     // pixels
uniform vec2 lim;        // clamp of x/z and y/z for the Jacobian
uniform vec2 depth_range;  // near, far (metres)
out vec3 g_conic;
out vec4 g_rgba;
out vec2 g_ax1;
out vec2 g_ax2;
out float g_keep;

void project(vec3 mean, mat3 M, vec4 rgba) {
    vec3 p = rot * mean + trans;
    float inv_z = 1.0 / max(p.z, depth_range.x);
    float fz = focal * inv_z;
    float jx = -fz * clamp(p.x * inv_z, -lim.x, lim.x);
    float jy = -fz * clamp(p.y * inv_z, -lim.y, lim.y);
    // Columns of ct are the rows of C = rot * M (the axes in camera space).
    mat3 ct = transpose(rot * M);
    vec3 t0 = fz * ct[0] + jx * ct[2];
    vec3 t1 = fz * ct[1] + jy * ct[2];
    float a = dot(t0, t0) + EPS2D;
    float b = dot(t0, t1);
    float c = dot(t1, t1) + EPS2D;
    vec2 center = vec2(fz * p.x, fz * p.y) + 0.5 * size;
    vec2 extent = SIGMA_CUTOFF * sqrt(vec2(a, c));
    bool keep = p.z > depth_range.x && p.z < depth_range.y && rgba.a > ALPHA_MIN
        && center.x + extent.x > 0.0 && center.x - extent.x < size.x
        && center.y + extent.y > 0.0 && center.y - extent.y < size.y;
    float det = max(a * c - b * b, 1e-12);
    g_conic = vec3(c / det, -b / det, a / det);
    g_rgba = rgba;
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
    g_keep = keep ? 1.0 : 0.0;
    gl_Position = vec4(center, 0.0, 1.0);  // pixels; the geometry shader maps the quad to clip space
}

void drop() {
    g_keep = 0.0;
    g_conic = vec3(0.0);
    g_rgba = vec4(0.0);
    g_ax1 = vec2(0.0);
    g_ax2 = vec2(0.0);
    gl_Position = vec4(0.0, 0.0, 0.0, 1.0);
}
"""

# World-space Gaussians, one vertex each (see splat_instances).
_SPLAT_VS = "#version 330\n" + _PROJECT_GLSL + """
in vec3 mean;     // world centre, metres
in vec3 m0;       // rows of M = R diag(scale)
in vec3 m1;
in vec3 m2;
in vec4 rgba;
void main() {
    project(mean, transpose(mat3(m0, m1, m2)), rgba);
}
"""

# A surface avatar posed here, one vertex per Gaussian: GaussianAvatar.pose_for_camera() (triangle
# frame, area stretch, back-face culling, the camera's light rig) followed by the projection. The
# Gaussian's constants are six texels of `consts` (see _AvatarTextures), the posed mesh is `verts`.
_AVATAR_VS = "#version 330\n" + _PROJECT_GLSL + """
in int gid;
uniform sampler2D consts;
uniform sampler2D verts;
uniform int consts_per_row;
uniform int verts_per_row;
uniform vec3 eye;
uniform vec3 key_light;   // unit directions towards the lights, world space
uniform vec3 fill_light;
uniform float cull_margin;
uniform bool stretch;

vec4 gconst(int k) {
    return texelFetch(consts, ivec2((gid % consts_per_row) * 6 + k, gid / consts_per_row), 0);
}
vec3 vert(float index) {
    int v = int(index);
    return texelFetch(verts, ivec2(v % verts_per_row, v / verts_per_row), 0).xyz;
}
void main() {
    vec4 c0 = gconst(0);  // corner vertex ids, offset
    vec4 c1 = gconst(1);  // barycentric coordinates, opacity
    vec4 c2 = gconst(2);  // albedo, rest area of the triangle
    vec4 c3 = gconst(3);  // local rotation row 0, scale x
    vec4 c4 = gconst(4);  // row 1, scale y
    vec4 c5 = gconst(5);  // row 2, scale z
    vec3 v0 = vert(c0.x);
    vec3 v1 = vert(c0.y);
    vec3 v2 = vert(c0.z);
    vec3 a = v1 - v0;
    vec3 cr = cross(a, v2 - v0);
    float dbl = length(cr);
    vec3 n = cr / max(dbl, 1e-20);
    vec3 mean = c1.x * v0 + c1.y * v1 + c1.z * v2 + c0.w * n;
    vec3 to_eye = eye - mean;
    if (dot(n, to_eye) / max(length(to_eye), 1e-9) <= -cull_margin) {
        drop();
        return;
    }
    vec3 e1 = a / max(length(a), 1e-20);
    vec3 e2 = cross(n, e1);
    vec3 scale = vec3(c3.w, c4.w, c5.w);
    if (stretch) {
        scale *= sqrt(clamp(0.5 * dbl / c2.w, 0.25, 4.0));
    }
    // M = [e1 | e2 | n] * local_R * diag(scale); mat3(c3.xyz, ...) holds local_R's rows as columns.
    mat3 M = mat3(e1, e2, n) * transpose(mat3(c3.xyz, c4.xyz, c5.xyz));
    M[0] *= scale.x;
    M[1] *= scale.y;
    M[2] *= scale.z;
    float light = AMBIENT + KEY_WEIGHT * max(dot(n, key_light), 0.0) + FILL_WEIGHT * max(dot(n, fill_light), 0.0);
    project(mean, M, vec4(clamp(c2.rgb * light, 0.0, 1.0), c1.w));
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

# The compositing rule of signspark.render.gaussians, for the offset d (pixels) from the centre.
_SPLAT_FS = """
#version 330
in vec2 d;
flat in vec3 v_conic;
flat in vec4 v_rgba;
out vec4 frag;
void main() {
    float q = v_conic.x * d.x * d.x + 2.0 * v_conic.y * d.x * d.y + v_conic.z * d.y * d.y;
    if (q > SIGMA_CUTOFF2) discard;
    float a = min(ALPHA_MAX, v_rgba.a * exp(-0.5 * q));
    if (a < ALPHA_MIN) discard;
    frag = vec4(v_rgba.rgb * a, a);
}
"""


def _shader(src: str) -> str:
    """``src`` with the constants of :mod:`signspark.render.gaussians` and :mod:`signspark.render.lighting`
    filled in."""
    for name in ("SIGMA_CUTOFF2", "SIGMA_CUTOFF", "EPS2D", "ALPHA_MIN", "ALPHA_MAX"):  # SIGMA_CUTOFF2 first
        src = src.replace(name, repr(float(getattr(gaussians, name))))
    for name in ("AMBIENT", "KEY_WEIGHT", "FILL_WEIGHT"):
        src = src.replace(name, repr(float(getattr(lighting, name))))
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
    """This thread's headless moderngl context, made once per thread; raises if none can be made.

    EGL first (headless Linux, no display needed), then the platform's own standalone context
    (CGL on macOS, WGL on Windows, GLX on a Linux desktop). A context is current in the thread
    that made it only, so a server rendering in worker threads (the Gradio demo) needs one per thread.
    """
    ctx = getattr(_CTX, "ctx", None)
    if ctx is None:
        import moderngl

        errors = []
        for kwargs in ({"backend": "egl"}, {}):
            try:
                ctx = moderngl.create_context(standalone=True, **kwargs)
                break
            except Exception as e:  # no libEGL, no driver, no display ...
                errors.append(f"{kwargs.get('backend', 'platform default')}: {type(e).__name__}: {e}")
        else:
            raise RuntimeError("no OpenGL context could be made (" + "; ".join(errors) + ")")
        _CTX.ctx = ctx
    return ctx


def _program(ctx, **shaders):
    """The program of these shader sources, compiled once per context and kept with it.

    moderngl does not free GL objects when their Python objects go away, and Mesa's llvmpipe
    JIT-compiles each program into several MB; a program compiled per backend (per render call)
    therefore leaked about 7 MB per request in a long-running server. Each render sets every
    uniform it uses before drawing, so backends of one thread can share the programs.
    """
    if not isinstance(ctx.extra, dict):
        ctx.extra = {}
    cache = ctx.extra.setdefault("signspark_programs", {})
    key = tuple(sorted(shaders.items()))
    prog = cache.get(key)
    if prog is None:
        prog = cache[key] = ctx.program(**shaders)
    return prog


def _release_fbo(fbo) -> None:
    """Release a framebuffer and its attachments (moderngl releases neither when one goes away)."""
    if fbo is None:
        return
    attachments = list(fbo.color_attachments) + [fbo.depth_attachment]
    fbo.release()
    for a in attachments:
        if a is not None:
            a.release()


def _gl_availability() -> tuple[bool, str]:
    try:
        import moderngl  # noqa: F401
    except ImportError:
        return False, "moderngl is not installed (pip install moderngl)"
    try:
        ctx = create_context()
    except Exception as e:  # missing libEGL, no driver ...
        return False, f"{e}; on Linux install libegl1 and libgl1-mesa-dri"
    if ctx.version_code < 330:
        return False, f"OpenGL 3.3 is needed, the context offers {ctx.version_code}"
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
            _release_fbo(self._fbo)
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
        img = np.empty((height, width, 3), np.uint8)  # read straight into the frame handed out (one copy)
        fbo.read_into(img, viewport=vp, components=3)
        return np.ascontiguousarray(img[::-1]) if flipped else img

    def close(self) -> None:
        _release_fbo(self._fbo)
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


@functools.lru_cache(maxsize=1)
def _gl_flush():
    """``glFlush`` of the current context, or None when libGL cannot be loaded (looked up once).

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


_CONSTS_PER_ROW = 512  # Gaussians per row of an avatar's constants texture (6 texels each)
_VERTS_PER_ROW = 4096  # mesh vertices per row of the posed-vertex texture


class _AvatarConstants:
    """A surface avatar's per-Gaussian constants as a texture, and what the CPU needs to sort.

    Texels of Gaussian ``i`` (``consts[i // 512, (i % 512) * 6 + k]``): k=0 corner vertex ids and
    normal offset; 1 barycentric coordinates and opacity; 2 albedo and the triangle's rest area
    (1 without stretching); 3-5 the local rotation's rows, each with one rest scale.
    """

    def __init__(self, ctx, avatar, faces):
        import moderngl

        self.avatar, self.faces = avatar, faces  # held: identity is the cache key
        N = len(avatar)
        fid = avatar.face_id
        self.face_tensor = as_faces(faces)
        self.corner_ids = self.face_tensor.index_select(0, fid)  # (N, 3) int64
        self.bary = avatar.bary.float()
        L = quaternion_to_matrix(avatar.rotation.float())  # (N, 3, 3)
        area = (avatar.rest_area.index_select(0, fid).clamp_min(1e-12) if avatar.rest_area is not None
                else torch.ones(N))
        rows = -(-N // _CONSTS_PER_ROW)
        limit = int(ctx.info.get("GL_MAX_TEXTURE_SIZE", 8192))
        if rows > limit:
            raise ValueError(f"the avatar has {N} Gaussians; this OpenGL can pose at most {limit * _CONSTS_PER_ROW} "
                             "in its shaders (use the torch backend)")
        data = torch.zeros(rows * _CONSTS_PER_ROW, 6, 4)
        data[:N, 0, :3] = self.corner_ids.float()
        data[:N, 0, 3] = avatar.offset
        data[:N, 1, :3] = avatar.bary
        data[:N, 1, 3] = avatar.opacity
        data[:N, 2, :3] = avatar.color
        data[:N, 2, 3] = area
        data[:N, 3:6, :3] = L
        data[:N, 3:6, 3] = avatar.scale
        self.texture = ctx.texture((_CONSTS_PER_ROW * 6, rows), 4, data.numpy().tobytes(), dtype="f4")
        self.texture.filter = (moderngl.NEAREST, moderngl.NEAREST)
        self.stretch = avatar.rest_area is not None
        self.num_vertices = int(self.corner_ids.max()) + 1

    def sort_order(self, vertices: torch.Tensor, camera: Camera) -> torch.Tensor:
        """(N,) int32 Gaussian indices back to front by the depth of their anchor point on the
        triangle (the mean without the normal offset: zero for the built-in avatar)."""
        V = camera.viewmat.to(vertices)
        vdepth = torch.addmv(V[2, 3].expand(vertices.shape[0]), vertices, V[2, :3])
        depth = (vdepth[self.corner_ids] * self.bary).sum(1)
        return torch.argsort(depth, descending=True).to(torch.int32)

    def release(self) -> None:
        self.texture.release()


class GLSplatBackend(_GLBase):
    """Gaussian splats, sorted back to front, with a conic fragment shader.

    One vertex per Gaussian: the vertex shader projects it, a geometry shader turns it into the
    quad spanning its footprint ellipse. Frames come either as world-space Gaussians or, for a
    surface avatar (``FrameData(avatar=..., vertices=..., faces=...)``), as the posed mesh: the
    vertex shader then also poses, culls and shades the avatar's Gaussians, and the CPU only
    sorts them. Two framebuffers and vertex buffers let one frame rasterize (in llvmpipe's threads)
    while the next is prepared: see :meth:`submit`.
    """

    name = "gl"
    draws = "gaussians"
    poses_avatars = True
    max_in_flight = 2

    def __init__(self, float_target: bool = False):
        """``float_target``: blend in a float32 framebuffer instead of 8 bits per channel (slower on
        llvmpipe; the 8-bit image differs by about 0.1 level on average, at most a few levels)."""
        super().__init__(float_target)
        gs, fs = _SPLAT_GS, _shader(_SPLAT_FS)
        self.prog = _program(self.ctx, vertex_shader=_shader(_SPLAT_VS), geometry_shader=gs, fragment_shader=fs)
        self.avatar_prog = _program(self.ctx, vertex_shader=_shader(_AVATAR_VS), geometry_shader=gs,
                                    fragment_shader=fs)
        self._slots = [dict(fbo=None, size=None, buf=None, vao=None, cap=0, ids=None, avao=None, icap=0,
                            verts=None, vrows=0, staging=None, busy=False) for _ in range(2)]
        self._next = 0
        self._flush = _gl_flush()
        self._avatar: _AvatarConstants | None = None

    def _prepare_slot(self, slot: dict, W: int, H: int) -> None:
        if slot["size"] != (W, H):
            _release_fbo(slot["fbo"])
            color = self.ctx.renderbuffer((W, H), 4, dtype="f4" if self._float else "f1")
            slot["fbo"] = self.ctx.framebuffer(color_attachments=[color])
            slot["size"] = (W, H)

    def _gaussian_buffers(self, slot: dict, n: int) -> None:
        if n > slot["cap"]:
            cap = max(n, int(slot["cap"] * 1.5), 1024)
            for key in ("vao", "buf"):
                if slot[key] is not None:
                    slot[key].release()
            slot["buf"] = self.ctx.buffer(reserve=cap * INSTANCE_FLOATS * 4, dynamic=True)
            slot["vao"] = self.ctx.vertex_array(self.prog, [(slot["buf"], "3f 3f 3f 3f 4f", "mean", "m0", "m1", "m2",
                                                             "rgba")])
            slot["cap"] = cap

    def _avatar_buffers(self, slot: dict, n: int, num_vertices: int) -> None:
        import moderngl

        if n > slot["icap"]:
            for key in ("avao", "ids"):
                if slot[key] is not None:
                    slot[key].release()
            slot["ids"] = self.ctx.buffer(reserve=n * 4, dynamic=True)
            slot["avao"] = self.ctx.vertex_array(self.avatar_prog, [(slot["ids"], "1i", "gid")])
            slot["icap"] = n
        rows = -(-num_vertices // _VERTS_PER_ROW)
        if rows > slot["vrows"]:
            if slot["verts"] is not None:
                slot["verts"].release()
            slot["verts"] = self.ctx.texture((_VERTS_PER_ROW, rows), 3, dtype="f4")
            slot["verts"].filter = (moderngl.NEAREST, moderngl.NEAREST)
            slot["vrows"] = rows
            slot["staging"] = torch.zeros(rows * _VERTS_PER_ROW, 3)

    def _avatar_constants(self, avatar, faces) -> _AvatarConstants:
        a = self._avatar
        if (a is not None and a.avatar is avatar and a.faces is not faces
                and torch.equal(a.face_tensor, as_faces(faces))):
            a.faces = faces  # the same triangles in a new array
        if a is None or a.avatar is not avatar or a.faces is not faces:
            if a is not None:
                a.release()
            a = self._avatar = _AvatarConstants(self.ctx, avatar, faces)
        return a

    def submit(self, frame: FrameData, camera: Camera, background):
        W, H = camera.width, camera.height
        k = self._next
        slot = self._slots[k]
        if slot["busy"]:
            raise RuntimeError(f"the gl backend holds at most {self.max_in_flight} frames in flight; fetch one first")
        ctx = self.ctx
        self._prepare_slot(slot, W, H)
        slot["fbo"].use()
        ctx.viewport = (0, 0, W, H)
        ctx.disable(ctx.DEPTH_TEST | ctx.CULL_FACE)
        ctx.enable(ctx.BLEND)
        ctx.blend_func = (ctx.ONE, ctx.ONE_MINUS_SRC_ALPHA)
        slot["fbo"].clear(*(float(x) for x in background), 1.0)
        with torch.no_grad():
            if frame.gaussians is not None:
                self._draw_gaussians(slot, frame.gaussians, camera)
            elif frame.avatar is not None and frame.vertices is not None and frame.faces is not None:
                self._draw_avatar(slot, frame, camera)
            else:
                raise ValueError("the gl backend draws Gaussians, or a surface avatar on a posed mesh; "
                                 "the frame has neither")
        ctx.disable(ctx.BLEND)
        if self._flush is not None:
            self._flush()  # start rasterizing now, in the driver's threads
        slot["busy"] = True
        self._next = (k + 1) % len(self._slots)
        return k

    def _draw_gaussians(self, slot: dict, g: Gaussians, camera: Camera) -> None:
        if g.means.device.type != "cpu" or g.means.dtype != torch.float32:
            g = g.to("cpu")
            g = Gaussians(*(t.float() if t is not None else None for t in g._values()))
        inst = splat_instances(g, camera)
        n = len(inst)
        if n:
            self._gaussian_buffers(slot, n)
            slot["buf"].write(inst)
            self._set_camera(self.prog, camera)
            slot["vao"].render(mode=self.ctx.POINTS, vertices=n)

    def _draw_avatar(self, slot: dict, frame: FrameData, camera: Camera) -> None:
        avatar = frame.avatar
        if not getattr(avatar, "surface", False):
            raise ValueError("the gl backend poses surface avatars only; pose other avatars into Gaussians first")
        verts = frame.vertices.detach().to("cpu", torch.float32)
        avatar._check(verts, frame.faces)
        a = self._avatar_constants(avatar, frame.faces)
        V = verts.shape[0]
        if V < a.num_vertices:
            raise ValueError(f"the avatar's triangles use vertex {a.num_vertices - 1}, the mesh has {V} vertices")
        order = a.sort_order(verts, camera)
        n = order.shape[0]
        self._avatar_buffers(slot, n, V)
        staging = slot["staging"]  # (rows * _VERTS_PER_ROW, 3): the texture's texels, zeros past the mesh
        staging[:V] = verts
        slot["verts"].write(staging.numpy())
        slot["ids"].write(order.numpy())
        prog = self.avatar_prog
        self._set_camera(prog, camera)
        from ..lighting import world_light_directions

        lights = world_light_directions(camera)
        prog["eye"].value = tuple(float(x) for x in camera.eye)
        prog["key_light"].value = tuple(float(x) for x in lights[0])
        prog["fill_light"].value = tuple(float(x) for x in lights[1])
        prog["cull_margin"].value = CULL_MARGIN
        prog["stretch"].value = bool(a.stretch)
        prog["consts_per_row"].value = _CONSTS_PER_ROW
        prog["verts_per_row"].value = _VERTS_PER_ROW
        a.texture.use(location=0)
        slot["verts"].use(location=1)
        prog["consts"].value = 0
        prog["verts"].value = 1
        slot["avao"].render(mode=self.ctx.POINTS, vertices=n)

    def _set_camera(self, prog, camera: Camera) -> None:
        V = camera.viewmat.to(torch.float32).numpy()
        W, H, f = camera.width, camera.height, float(camera.focal)
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

    def close(self) -> None:
        super().close()
        for slot in self._slots:
            for key in ("vao", "buf", "avao", "ids", "verts"):
                if slot[key] is not None:
                    slot[key].release()
            _release_fbo(slot["fbo"])
            slot.update(fbo=None, size=None, buf=None, vao=None, cap=0, ids=None, avao=None, icap=0, verts=None,
                        vrows=0, staging=None, busy=False)
        if self._avatar is not None:
            self._avatar.release()
            self._avatar = None


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
        self.prog = _program(self.ctx, vertex_shader=_MESH_VS, fragment_shader=_MESH_FS)
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
