"""Body-model fixtures: the built-in body generated once per session into a temporary cache."""

import os

import pytest


@pytest.fixture(scope="session")
def body_cache(tmp_path_factory):
    """A private SIGNSPARK_CACHE_DIR holding the generated built-in body (and no SMPLX dir override)."""
    cache = tmp_path_factory.mktemp("signspark-cache")
    old = {k: os.environ.get(k) for k in ("SIGNSPARK_CACHE_DIR", "SIGNSPARK_SMPLX_DIR")}
    os.environ["SIGNSPARK_CACHE_DIR"] = str(cache)
    os.environ.pop("SIGNSPARK_SMPLX_DIR", None)
    from signspark.body import builtin_body_path

    builtin_body_path()
    yield cache
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="session")
def builtin_file(body_cache):
    from signspark.body import builtin_body_path

    return builtin_body_path()


@pytest.fixture(scope="session")
def builtin_arrays(builtin_file):
    import numpy as np

    with np.load(builtin_file) as data:
        return {k: data[k] for k in data.files}


@pytest.fixture(scope="session")
def body(body_cache):
    from signspark.body import BodyModel

    return BodyModel.load()
