"""Exporting signing clips to formats other tools open.

* :func:`write_glb` / :func:`glb_bytes` - an animated glTF 2.0 binary (.glb): the avatar's
  mesh, skeleton, skin weights, the signing as a skeletal animation and the expressions as
  morph targets (:mod:`.gltf`).
"""

from .gltf import COLOR_MODES, MAX_EXPORT_FRAMES, GlbInfo, GltfExportError, glb_bytes, write_glb

__all__ = ["write_glb", "glb_bytes", "GlbInfo", "GltfExportError", "MAX_EXPORT_FRAMES", "COLOR_MODES"]
