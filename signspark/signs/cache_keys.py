"""What a result cached on disk depends on, besides its own input: the code that computed it and the body.

Key poses of signs (:mod:`signspark.signs.hamnosys.form_cache`) and solved thumb angles
(:mod:`signspark.signs.thumb_store`) are kept between runs. Each key holds
:func:`code_fingerprint` (the source of the modules that decide how a sign is posed, and the numpy and
scipy versions: edit any of them and everything is computed afresh) and :func:`body_fingerprint` (the
built-in body's version, or a licensed SMPL-X file's path, size and time); both are cheap, nothing is
loaded.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import numpy as np

__all__ = ["code_fingerprint", "body_fingerprint", "cache_dir", "CODE", "NOT_CODE"]

# The modules whose code decides how a sign is posed (relative to the signspark package) ...
CODE = ("signs/hamnosys/*.py", "signs/arms.py", "signs/handshapes.py", "signs/kinematics.py", "signs/placement.py",
        "signs/signers.py", "signs/lexicon.py", "signs/alphabets/__init__.py", "body/*.py")
# ... except these, which only find, read or store signs (a description given without notation is keyed by
# its content, however it was read)
NOT_CODE = ("signs/hamnosys/__init__.py", "signs/hamnosys/lexicon.py", "signs/hamnosys/lexicon_files.py",
            "signs/hamnosys/sigml.py", "signs/hamnosys/sigml_gestural.py", "signs/hamnosys/form_cache.py")


def cache_dir() -> Path:
    """``$SIGNSPARK_CACHE_DIR``, else ``$XDG_CACHE_HOME/signspark``, else ``~/.cache/signspark``."""
    from signspark.body.builtin import cache_dir as folder

    return folder()


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 (hex) of the source files :data:`CODE` names (less :data:`NOT_CODE`) and the numpy and scipy
    versions."""
    import scipy

    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256(f"numpy {np.__version__} scipy {scipy.__version__}\n".encode())
    skip = {root / name for name in NOT_CODE}
    for pattern in CODE:
        for path in sorted(set(root.glob(pattern)) - skip):
            h.update(path.relative_to(root).as_posix().encode() + b"\0")
            try:
                h.update(path.read_bytes())
            except OSError:  # pragma: no cover - an unreadable installed file: its name still counts
                h.update(b"?")
            h.update(b"\0")
    return h.hexdigest()


def body_fingerprint() -> str:
    """Which body the signs are posed on: ``"built-in v<N>"`` or the licensed file's path, size and time."""
    from signspark.body.builtin import GENERATOR_VERSION
    from signspark.body.model import resolve_model_path

    path = resolve_model_path(None)
    if path is None:
        return f"built-in v{GENERATOR_VERSION}"
    st = path.stat()
    return f"{path.resolve()} {st.st_size} {st.st_mtime_ns}"
