"""One reader for ``.npz`` archives from untrusted sources, checked before anything is decompressed.

``numpy.load`` trusts the archive: it parses a central directory of any size, and a member
decompresses to whatever its header declares, so a 1 MB file can take gigabytes of memory
before the caller sees the first array. :func:`read_npz` instead:

1. reads the zip end record and refuses archives with too many members (or an oversized
   central directory) before :mod:`zipfile` parses the directory;
2. refuses encrypted members, compression methods ``numpy.savez`` does not use, duplicate
   names, members that are not ``.npy`` arrays and, unless asked otherwise, members the
   caller does not use;
3. reads only the ``.npy`` header of each wanted member (a few hundred bytes) and checks the
   declared size against the limits, against the size the zip directory gives, and against the
   caller's own expectations (``check``: e.g. at most 100 000 frames), all before any data;
4. refuses pickled (object) arrays unless the caller supplies a reader for them;
5. reads the data of each member into a preallocated array of exactly the declared size.

Every error is an :class:`NpzError` (a ``ValueError``) whose message starts with ``where``.

Example::

    arrays = read_npz("clip.npz", where="clip.npz", fields=["body_pose", "fps"], unknown="refuse")
"""

from __future__ import annotations

import io
import math
import os
import struct
import zipfile
from pathlib import Path
from typing import IO, Callable, Iterable, Mapping

import numpy as np

from .regular_file import open_regular

__all__ = ["NpzError", "read_npz", "npz_headers", "Header", "DEFAULT_MAX_MEMBER_BYTES", "DEFAULT_MAX_TOTAL_BYTES"]

DEFAULT_MAX_MEMBER_BYTES = 256 * 1024 * 1024
DEFAULT_MAX_TOTAL_BYTES = 1024 * 1024 * 1024
DEFAULT_MAX_MEMBERS = 256
_MAX_CD_BYTES_PER_MEMBER = 1024  # a central directory entry is 46 bytes + name + extra fields
_ALLOWED_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_MAX_HEADER_BYTES = 10_000  # numpy's own default limit for .npy headers

Header = tuple  # (shape: tuple[int, ...], dtype: np.dtype)


class NpzError(ValueError):
    """An ``.npz`` archive is unreadable, too large, or holds something it must not; the message says what."""


# ---------------------------------------------------------------------------------------------- zip directory
def _directory_size(fh: IO[bytes], size: int, where: str) -> tuple[int, int]:
    """(number of members, central directory bytes) from the end record, without parsing the directory."""
    tail_len = min(size, 22 + 65535)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    pos = tail.rfind(b"PK\x05\x06")
    if pos < 0 or len(tail) - pos < 22:
        raise NpzError(f"{where}: not a readable .npz archive (no zip directory found)")
    _, _, _, _, entries, cd_size, _, _ = struct.unpack("<4s4H2LH", tail[pos:pos + 22])
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF:  # zip64: the real counts are in the zip64 end record
        loc = pos - 20
        if loc < 0 or tail[loc:loc + 4] != b"PK\x06\x07":
            raise NpzError(f"{where}: damaged zip64 directory")
        (offset,) = struct.unpack("<Q", tail[loc + 8:loc + 16])
        if offset + 56 > size:
            raise NpzError(f"{where}: damaged zip64 directory")
        fh.seek(offset)
        rec = fh.read(56)
        if rec[:4] != b"PK\x06\x06":
            raise NpzError(f"{where}: damaged zip64 directory")
        entries, cd_size = struct.unpack("<QQ", rec[32:48])
    return int(entries), int(cd_size)


def _member_name(info: zipfile.ZipInfo, where: str) -> str:
    if not info.filename.endswith(".npy"):
        raise NpzError(f"{where}: member {info.filename!r} is not a .npy array; a .npz holds only arrays")
    return info.filename[:-4]


def _read_header(fh: IO[bytes], member: str, where: str) -> tuple[tuple[int, ...], np.dtype, bool, int]:
    """(shape, dtype, fortran_order, header length) of the .npy stream ``fh``, reading only the header."""
    try:
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh, max_header_size=_MAX_HEADER_BYTES)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh, max_header_size=_MAX_HEADER_BYTES)
        else:
            raise ValueError(f"unsupported .npy version {version}")
    except NpzError:
        raise
    except Exception as e:  # ValueError for bad headers, BadZipFile / zlib.error for damaged data, EOFError ...
        raise NpzError(f"{where}: field {member!r} has no valid .npy header ({type(e).__name__}: {e})") from None
    if any((not isinstance(n, int)) or n < 0 for n in shape):
        raise NpzError(f"{where}: field {member!r} declares an invalid shape {shape}")
    return tuple(int(n) for n in shape), dtype, bool(fortran), fh.tell()


def _fmt_bytes(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


# ---------------------------------------------------------------------------------------------- reader
def read_npz(
    source: str | os.PathLike | bytes | bytearray | memoryview,
    where: str | None = None,
    fields: Iterable[str] | None = None,
    *,
    unknown: str = "refuse",
    check: Callable[[Mapping[str, Header]], None] | None = None,
    object_reader: Callable[[IO[bytes], str, tuple[int, ...]], np.ndarray] | None = None,
    max_member_bytes: int = DEFAULT_MAX_MEMBER_BYTES,
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
    max_members: int = DEFAULT_MAX_MEMBERS,
) -> dict[str, np.ndarray]:
    """Read the arrays of an ``np.savez`` archive, refusing anything oversized or unexpected first.

    Args:
        source: a file path or the archive's bytes.
        where: how error messages name the archive (default: the path, or "npz").
        fields: the member names the caller uses (without ``.npy``); None: every member.
            Wanted members that are absent are simply missing from the result.
        unknown: what to do with members not in ``fields``: ``"refuse"`` (an error naming them)
            or ``"skip"`` (never decompressed).
        check: called with ``{name: (shape, dtype)}`` of the wanted members after their headers
            are read and before any data is; it raises (``ValueError``) to refuse the archive.
        object_reader: ``(stream after the header, name, shape) -> array`` for object (pickled)
            arrays; without it they are refused.
        max_member_bytes / max_total_bytes: limits on the declared decompressed sizes.
        max_members: limit on the number of members in the archive.

    Returns:
        ``{name: array}`` (writable arrays of exactly the declared shape and dtype).

    Raises:
        NpzError: anything unreadable, oversized, pickled or unexpected; the message starts with ``where``.
    """
    if unknown not in ("refuse", "skip"):
        raise ValueError(f"unknown must be 'refuse' or 'skip', got {unknown!r}")
    if isinstance(source, (bytes, bytearray, memoryview)):
        where = where or "npz"
        fh: IO[bytes] = io.BytesIO(bytes(source))
        close = False
    else:
        where = where or str(source)
        fh = open_regular(Path(source), where, NpzError, ".npz file")  # a FIFO would block open() for ever
        close = True
    try:
        return _read(fh, where, fields, unknown, check, object_reader, max_member_bytes, max_total_bytes, max_members)
    finally:
        if close:
            fh.close()


def npz_headers(source: str | os.PathLike | bytes, where: str | None = None,
                max_members: int = DEFAULT_MAX_MEMBERS) -> dict[str, Header]:
    """``{name: (shape, dtype)}`` of every member, reading only the headers (nothing is decompressed beyond them)."""
    headers: dict[str, Header] = {}

    def grab(h: Mapping[str, Header]) -> None:
        headers.update(h)
        raise _Stop

    try:
        read_npz(source, where, None, check=grab, object_reader=lambda fh, n, s: np.empty(0),
                 max_member_bytes=2**62, max_total_bytes=2**62, max_members=max_members)
    except _Stop:
        pass
    return headers


class _Stop(Exception):
    pass


class _Passthrough(Exception):
    pass


def _read(fh, where, fields, unknown, check, object_reader, max_member_bytes, max_total_bytes, max_members):
    fh.seek(0, io.SEEK_END)
    size = fh.tell()
    entries, cd_size = _directory_size(fh, size, where)
    if entries > max_members or cd_size > max_members * _MAX_CD_BYTES_PER_MEMBER:
        raise NpzError(f"{where}: the archive lists {entries} members ({_fmt_bytes(cd_size)} of directory); "
                       f"at most {max_members} are accepted")
    fh.seek(0)
    try:
        zf = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as e:
        raise NpzError(f"{where}: not a readable .npz archive ({type(e).__name__}: {e})") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > max_members:
            raise NpzError(f"{where}: the archive has {len(infos)} members; at most {max_members} are accepted")
        wanted = None if fields is None else set(fields)
        members: dict[str, zipfile.ZipInfo] = {}
        refused = []
        for info in infos:
            name = _member_name(info, where)
            if name in members:
                raise NpzError(f"{where}: field {name!r} appears twice in the archive")
            if wanted is not None and name not in wanted:
                if unknown == "refuse":
                    refused.append(name)
                continue
            if info.flag_bits & 0x1:
                raise NpzError(f"{where}: field {name!r} is encrypted")
            if info.compress_type not in _ALLOWED_COMPRESSION:
                raise NpzError(f"{where}: field {name!r} uses compression method {info.compress_type}; "
                               f"numpy.savez writes only stored or deflated members")
            if info.file_size > max_member_bytes + _MAX_HEADER_BYTES:
                raise NpzError(f"{where}: field {name!r} declares {_fmt_bytes(info.file_size)} uncompressed, "
                               f"more than the limit of {_fmt_bytes(max_member_bytes)}")
            members[name] = info
        if refused:
            allowed = ", ".join(sorted(wanted)) if wanted else "none"
            raise NpzError(f"{where}: unexpected field(s) {', '.join(map(repr, sorted(refused)))}; "
                           f"this file may hold only: {allowed}")
        total = sum(i.file_size for i in members.values())
        if total > max_total_bytes + _MAX_HEADER_BYTES * len(members):
            raise NpzError(f"{where}: the fields declare {_fmt_bytes(total)} uncompressed in all, "
                           f"more than the limit of {_fmt_bytes(max_total_bytes)}")

        # Pass 1: headers only.
        headers: dict[str, tuple] = {}
        for name, info in members.items():
            with zf.open(info) as m:
                shape, dtype, fortran, hlen = _read_header(m, name, where)
            if dtype.hasobject:
                if object_reader is None:
                    raise NpzError(f"{where}: field {name!r} is a pickled object array; only numeric and text "
                                   f"arrays are accepted (the file may be malicious)")
                nbytes = None
            else:
                nbytes = math.prod(shape) * dtype.itemsize
                if nbytes > max_member_bytes:
                    raise NpzError(f"{where}: field {name!r} declares shape {shape} of {dtype} "
                                   f"({_fmt_bytes(nbytes)}), more than the limit of {_fmt_bytes(max_member_bytes)}")
                if hlen + nbytes != info.file_size:
                    raise NpzError(f"{where}: field {name!r} declares {_fmt_bytes(nbytes)} of data but the archive "
                                   f"member holds {_fmt_bytes(max(info.file_size - hlen, 0))}; the file is damaged")
            headers[name] = (shape, dtype, fortran, nbytes)
        if check is not None:
            try:
                check({n: (h[0], h[1]) for n, h in headers.items()})
            except (_Stop, NpzError):
                raise
            except ValueError as e:
                raise NpzError(f"{where}: {e}") from None

        # Pass 2: data, into arrays of exactly the declared size.
        out: dict[str, np.ndarray] = {}
        for name, (shape, dtype, fortran, nbytes) in headers.items():
            try:
                with zf.open(members[name]) as m:
                    _read_header(m, name, where)
                    if nbytes is None:
                        try:
                            arr = object_reader(m, name, shape)
                        except ValueError as e:  # the caller's own error, passed on as it is
                            raise _Passthrough(e) from None
                    else:
                        buf = _fill(m, nbytes, name, where)
                        arr = buf.view(dtype).reshape(shape, order="F" if fortran else "C") if dtype.itemsize \
                            else np.zeros(shape, dtype)
            except _Passthrough as e:
                raise e.args[0] from None
            except NpzError:
                raise
            except ValueError as e:
                raise NpzError(f"{where}: field {name!r}: {e}") from None
            except Exception as e:  # BadZipFile (CRC), zlib.error, EOFError, OSError ...
                raise NpzError(f"{where}: field {name!r} cannot be read ({type(e).__name__}: {e})") from None
            out[name] = arr
        return out


def _fill(m: IO[bytes], nbytes: int, name: str, where: str) -> np.ndarray:
    """Exactly ``nbytes`` bytes of ``m`` into a new writable uint8 array; refuses short or long members."""
    buf = np.empty(nbytes, np.uint8)
    view = memoryview(buf)
    done = 0
    while done < nbytes:
        n = m.readinto(view[done:done + (1 << 24)])
        if not n:
            raise NpzError(f"{where}: field {name!r} is truncated ({done} of {nbytes} bytes)")
        done += n
    if m.read(1):
        raise NpzError(f"{where}: field {name!r} has data beyond its declared shape")
    return buf
