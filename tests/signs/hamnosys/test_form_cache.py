"""The disk cache of animated signs: hits, misses, damaged and foreign files, keys, the size bound, several writers."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

from signspark.signs.hamnosys import animate, parse
from signspark.signs import cache_keys
from signspark.signs.hamnosys import form_cache as fc
from signspark.signs.hamnosys.form_cache import FormCache, animate_cached
from signspark.signs.hamnosys.lexicon import HamNoSysLexicon
from signspark.signs.lexicon import SignForm
from signspark.signs.signers import DEFAULT_SIGNER, sample_signer

ROOT = Path(__file__).resolve().parents[3]
STATIC = "hamflathand hamextfingeru hampalml hamshoulders"                       # one key pose
MOVING = "hamflathand hamthumboutmod hamextfingero hampalmd hamchest hamlrat hammoved hamsmallmod"
CIRCLE = "hamfinger2 hamextfingeru hampalml hamchest hamcircleo"                  # many key poses


def same_form(a: SignForm, b: SignForm) -> bool:
    return (a.label == b.label and a.duration == b.duration and a.notes == b.notes and a.hold_keys == b.hold_keys
            and len(a.keys) == len(b.keys)
            and all(ua == ub and pa.dtype == pb.dtype and np.array_equal(pa, pb) and not pa.flags.writeable
                    for (ua, pa), (ub, pb) in zip(a.keys, b.keys)))


def synthetic_form(seed: int, keys: int = 3) -> SignForm:
    rng = np.random.default_rng(seed)
    poses = [rng.normal(size=(51, 3)) for _ in range(keys)]
    return SignForm(f"S{seed}", tuple((u, p) for u, p in zip(np.linspace(0, 1, keys), poses)), 2.0 + seed % 3,
                    (f"note {seed}",), hold_keys=keys > 1)


@pytest.fixture
def cache(tmp_path) -> FormCache:
    return FormCache(tmp_path / "signs")


@pytest.mark.parametrize("notation", [STATIC, MOVING, CIRCLE])
def test_a_cached_form_is_the_animated_one(cache, notation):
    desc = parse(notation)
    fresh = animate(desc, DEFAULT_SIGNER, "X")
    first = animate_cached(desc, DEFAULT_SIGNER, "X", notation=notation, cache=cache)  # miss: animated, stored
    assert same_form(first, fresh)
    assert cache.stats().files == 1
    again = animate_cached(desc, DEFAULT_SIGNER, "Y", notation=notation, cache=cache)  # hit: read back
    assert same_form(again, SignForm("Y", fresh.keys, fresh.duration, fresh.notes, fresh.hold_keys))


def test_a_hit_does_not_animate(cache, monkeypatch):
    desc = parse(MOVING)
    animate_cached(desc, DEFAULT_SIGNER, "X", notation=MOVING, cache=cache)
    calls = []
    monkeypatch.setattr(fc, "animate", lambda *a, **k: calls.append(a) or animate(*a, **k))
    animate_cached(desc, DEFAULT_SIGNER, "X", notation=MOVING, cache=cache)
    assert calls == []
    animate_cached(desc, sample_signer(3), "X", notation=MOVING, cache=cache)  # another signer: a miss
    assert len(calls) == 1


def test_a_description_without_notation_is_cached_by_its_content(cache):
    desc = parse(MOVING)
    a = animate_cached(desc, DEFAULT_SIGNER, "X", cache=cache)
    b = animate_cached(parse(MOVING), DEFAULT_SIGNER, "X", cache=cache)
    assert same_form(a, b) and cache.stats().files == 1


def test_the_key_follows_notation_signer_body_and_code(cache, monkeypatch, tmp_path):
    base = cache.key(MOVING, DEFAULT_SIGNER)
    assert cache.key(MOVING, DEFAULT_SIGNER) == base
    assert cache.key(STATIC, DEFAULT_SIGNER) != base
    assert cache.key(MOVING, sample_signer(1)) != base
    assert cache.key(parse(MOVING), DEFAULT_SIGNER) != base  # a description is keyed by its content
    fake = tmp_path / "models" / "SMPLX_NEUTRAL.npz"  # the key names the body file; nothing is loaded
    fake.parent.mkdir()
    fake.write_bytes(b"not read")
    monkeypatch.setenv("SIGNSPARK_SMPLX_DIR", str(fake.parent))
    with_body = cache.key(MOVING, DEFAULT_SIGNER)
    assert with_body != base
    os.utime(fake, ns=(1, 1))
    assert cache.key(MOVING, DEFAULT_SIGNER) != with_body  # another version of that file
    monkeypatch.delenv("SIGNSPARK_SMPLX_DIR")
    monkeypatch.setattr(fc, "code_fingerprint", lambda: "another version of the animator")
    assert cache.key(MOVING, DEFAULT_SIGNER) != base
    assert cache.path(base) != cache.path(cache.key(STATIC, DEFAULT_SIGNER))


def test_the_code_fingerprint_covers_the_animator():
    assert len(fc.code_fingerprint()) == 64
    root = ROOT / "signspark"
    covered = {p for pattern in cache_keys.CODE for p in root.glob(pattern)} - {root / n for n in cache_keys.NOT_CODE}
    assert root / "signs" / "hamnosys" / "animator.py" in covered and root / "signs" / "handshapes.py" in covered
    assert root / "signs" / "hamnosys" / "parser.py" in covered  # the key is the notation: its reading counts
    assert root / "signs" / "hamnosys" / "form_cache.py" not in covered  # FORMAT versions the files


def test_every_module_the_animator_runs_is_in_the_fingerprint():
    """A module that animation imports (now or later) is covered, unless it is listed as not deciding the poses."""
    code = ("import sys; from signspark.signs.hamnosys import animate_hamnosys; "
            "animate_hamnosys('hamflathand hamextfingero hampalmd hamchest hamlrat hammoved hamsmallmod'); "
            "print('\\n'.join(m.__file__ for n, m in sys.modules.items() if n.startswith(('signspark.signs.', "
            "'signspark.body.')) and getattr(m, '__file__', None)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    root = ROOT / "signspark"
    covered = {p for pattern in cache_keys.CODE for p in root.glob(pattern)} | {root / n for n in cache_keys.NOT_CODE}
    loaded = {Path(f).resolve() for f in out.stdout.split()}
    outside = sorted(str(p.relative_to(root)) for p in loaded - covered if p.name != "__init__.py")
    # modules that signspark.signs' package import brings along, which animation does not call
    assert set(outside) <= {"signs/cache_keys.py", "signs/thumb_store.py", "signs/fingerspelling.py", "signs/text_to_letters.py", "signs/languages.py",
                            "signs/motion.py", "signs/takes.py", "signs/practice.py", "signs/wordlists.py",
                            "signs/alphabets/asl.py", "signs/alphabets/bsl.py", "signs/alphabets/dgs.py",
                            "signs/alphabets/csl.py", "signs/alphabets/dsgs.py"}, outside


def _damage(path: Path, how: str, cache: FormCache) -> None:
    data = path.read_bytes()
    if how == "garbage":
        path.write_bytes(b"\x00garbage" * 50)
    elif how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "foreign":  # a whole, valid cache file, but of another sign
        other = cache.key(STATIC, DEFAULT_SIGNER)
        cache.put(other, animate(parse(STATIC)))
        path.write_bytes(cache.path(other).read_bytes())
    elif how == "extra member":
        with np.load(path) as z:
            arrays = dict(z)
        np.savez(path.with_suffix(".tmp.npz"), **arrays, extra=np.zeros(3))
        os.replace(path.with_suffix(".tmp.npz"), path)
    elif how == "wrong shape":
        with np.load(path) as z:
            arrays = dict(z)
        arrays["poses"] = arrays["poses"][:, :50]
        np.savez(path.with_suffix(".tmp.npz"), **arrays)
        os.replace(path.with_suffix(".tmp.npz"), path)
    elif how == "not finite":
        with np.load(path) as z:
            arrays = dict(z)
        arrays["poses"][0, 0, 0] = np.nan
        np.savez(path.with_suffix(".tmp.npz"), **arrays)
        os.replace(path.with_suffix(".tmp.npz"), path)
    elif how == "pickle":
        with np.load(path) as z:
            arrays = dict(z)
        arrays["notes"] = np.array([{"a": 1}], dtype=object)
        np.savez(path.with_suffix(".tmp.npz"), **arrays, allow_pickle=True)
        os.replace(path.with_suffix(".tmp.npz"), path)
    else:
        raise AssertionError(how)


@pytest.mark.parametrize("how", ["garbage", "truncated", "empty", "foreign", "extra member", "wrong shape",
                                 "not finite", "pickle"])
def test_a_damaged_or_foreign_file_is_ignored_and_replaced(cache, how, monkeypatch):
    desc = parse(MOVING)
    fresh = animate_cached(desc, DEFAULT_SIGNER, "X", notation=MOVING, cache=cache)
    key = cache.key(MOVING, DEFAULT_SIGNER)
    _damage(cache.path(key), how, cache)
    assert cache.get(key, "X") is None
    calls = []
    monkeypatch.setattr(fc, "animate", lambda *a, **k: calls.append(a) or animate(*a, **k))
    again = animate_cached(desc, DEFAULT_SIGNER, "X", notation=MOVING, cache=cache)
    assert len(calls) == 1 and same_form(again, fresh)
    assert same_form(cache.get(key, "X"), fresh)  # written again, whole


def test_a_folder_that_cannot_be_written_is_skipped(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would be")
    cache = FormCache(blocker / "signs")
    with pytest.warns(RuntimeWarning, match="not cached on disk"):
        form = animate_cached(parse(STATIC), DEFAULT_SIGNER, "X", notation=STATIC, cache=cache)
    assert same_form(form, animate(parse(STATIC), DEFAULT_SIGNER, "X"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # said once
        animate_cached(parse(MOVING), DEFAULT_SIGNER, "X", notation=MOVING, cache=cache)


def test_the_folder_and_the_switch_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNSPARK_CACHE_DIR", str(tmp_path / "a"))
    assert fc.sign_cache_dir() == tmp_path / "a" / "signs"
    assert fc.default_form_cache().folder == tmp_path / "a" / "signs"
    monkeypatch.delenv("SIGNSPARK_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert fc.sign_cache_dir() == tmp_path / "xdg" / "signspark" / "signs"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert fc.sign_cache_dir() == Path.home() / ".cache" / "signspark" / "signs"
    monkeypatch.setenv("SIGNSPARK_CACHE_DIR", str(tmp_path / "a"))
    monkeypatch.setenv(fc.ENV_MAX_MB, "0.5")
    assert fc.default_form_cache().max_bytes == 500_000
    monkeypatch.setenv(fc.ENV_MAX_MB, "lots")
    with pytest.warns(RuntimeWarning, match="not a number"):
        assert fc.default_form_cache().max_bytes == int(fc.DEFAULT_MAX_MB * 1e6)
    monkeypatch.setenv(fc.ENV_MAX_MB, "0")
    assert fc.default_form_cache() is None
    form = animate_cached(parse(STATIC), DEFAULT_SIGNER, "X", notation=STATIC)  # off: animated, nothing written
    assert same_form(form, animate(parse(STATIC), DEFAULT_SIGNER, "X"))
    assert not (tmp_path / "a" / "signs").exists()


def test_the_size_is_bounded_least_recently_used_first(tmp_path):
    probe = FormCache(tmp_path / "probe")
    probe.put("probe", synthetic_form(0))
    size = probe.stats().bytes
    cache = FormCache(tmp_path / "signs", max_bytes=10 * size)
    for k in range(8):
        assert cache.put(f"k{k}", synthetic_form(k))
        os.utime(cache.path(f"k{k}"), (1000 + k, 1000 + k))  # written one after another
    assert cache.get("k0", "A") is not None  # used again: now the most recent
    for k in range(8, 20):
        cache.put(f"k{k}", synthetic_form(k))
        os.utime(cache.path(f"k{k}"), (2000 + k, 2000 + k))
    stats = cache.stats()
    assert stats.bytes <= cache.max_bytes and 0 < stats.files < 20
    assert cache.get("k0", "A") is not None  # recently used: kept
    assert cache.get("k1", "A") is None      # the oldest: gone
    assert cache.get("k19", "A") is not None
    assert cache.clear() == stats.files and cache.stats().files == 0


def test_leftover_temporary_files_are_removed(cache):
    cache.put("a", synthetic_form(1))
    stale = cache.folder / ".0123.npz.999999-x.tmp"
    stale.write_bytes(b"half")
    os.utime(stale, (1, 1))
    fresh = cache.folder / ".4567.npz.999998-y.tmp"
    fresh.write_bytes(b"being written")
    assert cache.stats().files == 1
    assert not stale.exists() and fresh.exists()


_WRITER = textwrap.dedent("""
    import sys
    import numpy as np
    from signspark.signs.hamnosys.form_cache import FormCache
    from signspark.signs.lexicon import SignForm
    folder, first, bound = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    cache = FormCache(folder, max_bytes=bound)
    for round in range(3):
        for k in range(first, first + 60):   # the two writers share half of their keys
            key = f"key{k}"
            rng = np.random.default_rng(k)   # the same key always holds the same form
            form = SignForm(key, ((0.0, rng.normal(size=(51, 3))), (1.0, rng.normal(size=(51, 3)))), 2.0, ())
            got = cache.get(key, key)
            if got is not None:
                assert all(np.array_equal(p, q) for (_, p), (_, q) in zip(got.keys, form.keys)), key
            assert cache.put(key, form)
    print("ok")
""")


def test_two_processes_writing_at_once(tmp_path):
    folder = tmp_path / "signs"
    probe = FormCache(tmp_path / "probe")
    probe.put("probe", synthetic_form(0, keys=2))
    bound = 40 * probe.stats().bytes  # smaller than the 90 keys: both writers also evict
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(folder), str(first), str(bound)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for first in (0, 30)]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0 and out.strip() == "ok", err[-2000:]
    cache = FormCache(folder, max_bytes=bound)
    names = [p.name for p in folder.iterdir()]
    assert not [n for n in names if n.endswith(".tmp")]  # nothing half-written left behind
    read = 0
    for k in range(90):
        form = cache.get(f"key{k}", "x")
        if form is not None:
            rng = np.random.default_rng(k)
            assert np.array_equal(form.keys[0][1], rng.normal(size=(51, 3)))
            read += 1
    assert read == len(names) > 0
    cache.put("one more", synthetic_form(5, keys=2))  # any writer brings the folder back under the bound
    assert cache.stats().bytes <= bound


def test_a_new_lexicon_reads_the_signs_from_disk(monkeypatch, tmp_path):
    monkeypatch.setenv("SIGNSPARK_CACHE_DIR", str(tmp_path))
    first = HamNoSysLexicon({"KIND": MOVING, "DA": STATIC}, "DGS")
    forms = [first.form(g, DEFAULT_SIGNER) for g in ("KIND", "DA")]
    calls = []
    monkeypatch.setattr(fc, "animate", lambda *a, **k: calls.append(a) or animate(*a, **k))
    second = HamNoSysLexicon({"CHILD": MOVING, "DA": STATIC}, "DGS")  # KIND under another gloss: the same sign
    again = [second.form(g, DEFAULT_SIGNER) for g in ("CHILD", "DA")]
    assert calls == []
    assert again[0].label == "CHILD" and same_form(again[1], forms[1])
    assert all(np.array_equal(p, q) for (_, p), (_, q) in zip(again[0].keys, forms[0].keys))
