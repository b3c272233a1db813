"""Fixtures for the render tests: a tiny fake body (a subdivided box) and the built-in body."""

import numpy as np
import pytest
import torch


class _Out:
    def __init__(self, vertices, joints):
        self.vertices, self.joints = vertices, joints


class TinyBody:
    """A closed box mesh that behaves like BodyModel for the avatar and ply code.

    ``transl`` in the params moves it; joints are 127 copies of the box centre spread a little.
    """

    def __init__(self):
        v = np.array([[x, y, z] for x in (-0.1, 0.1) for y in (-0.2, 0.2) for z in (-0.05, 0.05)], np.float32)
        f = [[0, 1, 3], [0, 3, 2], [4, 6, 7], [4, 7, 5], [0, 4, 5], [0, 5, 1],
             [2, 3, 7], [2, 7, 6], [0, 2, 6], [0, 6, 4], [1, 5, 7], [1, 7, 3]]
        self.v = torch.from_numpy(v)
        self.faces = np.array(f, np.int64)
        self.vertex_regions = None
        self.num_vertices = 8

    def __call__(self, params, chunk_size=64):
        p = params.params if hasattr(params, "params") else params
        tr = torch.as_tensor(np.asarray(p["transl"]), dtype=torch.float32)
        verts = self.v[None] + tr[:, None]
        joints = verts.mean(1, keepdim=True).expand(-1, 127, -1).clone()
        return _Out(verts, joints)


@pytest.fixture
def tiny_body():
    return TinyBody()


@pytest.fixture(scope="session")
def builtin_body():
    from signspark.body import BodyModel

    return BodyModel.load()


@pytest.fixture(scope="session")
def builtin_avatar(builtin_body):
    from signspark.render import default_avatar

    return default_avatar(builtin_body)
