"""A small, independent reader of the .glb files the exporter writes, and linear blend skinning in numpy.

It reads only what the file says (accessors, nodes, skins, animation keys, morph targets), so that
posing the file's mesh and comparing with the body model checks the export end to end.
"""

from __future__ import annotations

import json
import struct

import numpy as np

_COMPONENTS = {5120: np.int8, 5121: np.uint8, 5122: np.int16, 5123: np.uint16, 5125: np.uint32, 5126: np.float32}
_WIDTH = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT4": 16}


class Glb:
    def __init__(self, data: bytes) -> None:
        magic, version, length = struct.unpack_from("<III", data, 0)
        assert magic == 0x46546C67 and version == 2 and length == len(data), "not a GLB 2.0 file"
        jlen, jtype = struct.unpack_from("<II", data, 12)
        assert jtype == 0x4E4F534A
        self.json = json.loads(data[20:20 + jlen].decode("utf-8"))
        blen, btype = struct.unpack_from("<II", data, 20 + jlen)
        assert btype == 0x004E4942
        self.bin = data[28 + jlen:28 + jlen + blen]

    def _view(self, index: int, offset: int, dtype, count: int) -> np.ndarray:
        v = self.json["bufferViews"][index]
        assert "byteStride" not in v, "the reader expects tightly packed views"
        start = v.get("byteOffset", 0) + offset
        return np.frombuffer(self.bin, dtype=dtype, count=count, offset=start)

    def accessor(self, index: int) -> np.ndarray:
        a = self.json["accessors"][index]
        dtype, width, count = _COMPONENTS[a["componentType"]], _WIDTH[a["type"]], a["count"]
        if "bufferView" in a:
            out = self._view(a["bufferView"], a.get("byteOffset", 0), dtype, count * width).reshape(count, width).copy()
        else:
            out = np.zeros((count, width), dtype)
        if "sparse" in a:
            s = a["sparse"]
            idx = self._view(s["indices"]["bufferView"], s["indices"].get("byteOffset", 0),
                             _COMPONENTS[s["indices"]["componentType"]], s["count"])
            vals = self._view(s["values"]["bufferView"], s["values"].get("byteOffset", 0), dtype, s["count"] * width)
            out[idx.astype(np.int64)] = vals.reshape(-1, width)
        if a.get("normalized"):
            out = out.astype(np.float64) / np.iinfo(dtype).max
        return out if width > 1 else out[:, 0]

    # ------------------------------------------------------------------ animation
    def keys(self) -> np.ndarray:
        anim = self.json["animations"][0]
        return self.accessor(anim["samplers"][0]["input"])

    def pose_at(self, key: int) -> tuple[dict[int, dict], np.ndarray | None]:
        """Node TRS overrides and mesh morph weights at animation key ``key``."""
        anim = self.json["animations"][0]
        trs: dict[int, dict] = {}
        weights = None
        for ch in anim["channels"]:
            s = anim["samplers"][ch["sampler"]]
            assert s.get("interpolation", "LINEAR") == "LINEAR"
            out = self.accessor(s["output"])
            node, path = ch["target"]["node"], ch["target"]["path"]
            if path == "weights":
                n = len(self.json["meshes"][self.json["nodes"][node]["mesh"]]["weights"])
                weights = out.reshape(-1, n)[key]
            else:
                trs.setdefault(node, {})[path] = out[key]
        return trs, weights

    def global_matrices(self, trs: dict[int, dict]) -> dict[int, np.ndarray]:
        nodes = self.json["nodes"]
        out: dict[int, np.ndarray] = {}

        def local(i: int) -> np.ndarray:
            n = dict(nodes[i])
            n.update(trs.get(i, {}))
            assert "matrix" not in n
            M = np.eye(4)
            x, y, z, w = np.asarray(n.get("rotation", [0, 0, 0, 1]), np.float64)
            M[:3, :3] = [[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                         [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                         [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]]
            M[:3, :3] *= np.asarray(n.get("scale", [1, 1, 1]), np.float64)[None, :]
            M[:3, 3] = n.get("translation", [0, 0, 0])
            return M

        def visit(i: int, parent: np.ndarray) -> None:
            out[i] = parent @ local(i)
            for c in nodes[i].get("children", []):
                visit(c, out[i])

        for r in self.json["scenes"][self.json.get("scene", 0)]["nodes"]:
            visit(r, np.eye(4))
        return out

    def skinned_primitives(self, key: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per primitive: (rest positions (n, 3), posed positions (n, 3)) at animation key ``key``."""
        trs, weights = self.pose_at(key)
        G = self.global_matrices(trs)
        mesh_node = next(i for i, n in enumerate(self.json["nodes"]) if "mesh" in n)
        node = self.json["nodes"][mesh_node]
        skin = self.json["skins"][node["skin"]]
        ibm = self.accessor(skin["inverseBindMatrices"]).reshape(-1, 4, 4).transpose(0, 2, 1)  # column-major
        joint_mats = np.stack([G[j] @ ibm[k] for k, j in enumerate(skin["joints"])])
        out = []
        for prim in self.json["meshes"][node["mesh"]]["primitives"]:
            attrs = prim["attributes"]
            rest = self.accessor(attrs["POSITION"]).astype(np.float64)
            p = rest.copy()
            for w, target in zip(weights if weights is not None else [], prim.get("targets", [])):
                p += w * self.accessor(target["POSITION"])
            J = self.accessor(attrs["JOINTS_0"]).astype(np.int64)
            W = self.accessor(attrs["WEIGHTS_0"]).astype(np.float64)
            M = np.einsum("vk,vkij->vij", W, joint_mats[J])
            posed = np.einsum("vij,vj->vi", M[:, :3, :3], p) + M[:, :3, 3]
            out.append((rest, posed))
        return out
