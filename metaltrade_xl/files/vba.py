"""The analyst workbook's VBA project (``xl/vbaProject.bin``): read a module's source and replace
it, keeping every other byte of the project as xlwings ships it.

A VBA project is an OLE compound file ([MS-CFB]) whose ``VBA/dir`` stream lists the modules; each
module stream is ``[performance cache (p-code)][compressed source]``, the source starting at the
module's ``MODULEOFFSET`` ([MS-OVBA] 2.3.4.3). Source and ``dir`` are compressed as [MS-OVBA]
2.4.1 says; :func:`compress` and :func:`decompress` implement that section.

A stream can only be rewritten in place with its own size (``olefile``), so
:func:`replace_module` re-compresses the new source to exactly the old container's length (the
compressed format lets a writer spell any match as literals, which only lengthens it) and keeps
the p-code bytes. Excel ignores every p-code cache of this project, because its ``_VBA_PROJECT``
Version is 0xFFFF, as [MS-OVBA] 2.3.4.1 says writers must set it ("MUST be 0xFFFF on write"; 1.6:
"so that performance caches are ignored"); :func:`replace_module` checks that instead of assuming it.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import olefile

_CHUNK = 4096
_LITERAL_MATCH = 3  # a copy token stands for at least 3 bytes ([MS-OVBA] 2.4.1.3.19.4)
#: ``_VBA_PROJECT`` Version meaning "ignore the performance caches, compile from source".
SOURCE_ONLY_VERSION = 0xFFFF


class VbaProjectError(ValueError):
    """The VBA project is not what the workbook template expects (e.g. another xlwings)."""


def _copy_token_bits(done: int) -> tuple[int, int]:
    """(offset bits, maximum length) for a copy token ``done`` bytes into a chunk (2.4.1.3.19.1)."""
    bits = max((done - 1).bit_length(), 4)
    return bits, (0xFFFF >> bits) + 3


def decompress(container: bytes) -> bytes:
    """Decompress an [MS-OVBA] 2.4.1 CompressedContainer.

    Examples
    --------
    >>> decompress(bytes.fromhex("01 02b0 00 41 42"))  # a chunk of 5 bytes: 2 literals
    b'AB'
    >>> decompress(compress(b"abcabcabcabc"))
    b'abcabcabcabc'
    """
    if not container or container[0] != 1:
        raise VbaProjectError("expected a compressed VBA container (first byte 0x01)")
    out = bytearray()
    pos = 1
    while pos < len(container):
        if pos + 2 > len(container):
            raise VbaProjectError(f"truncated chunk header at byte {pos}")
        (header,) = struct.unpack_from("<H", container, pos)
        size, signature, packed = (header & 0x0FFF) + 3, (header >> 12) & 7, header >> 15
        if signature != 0b011:
            raise VbaProjectError(f"bad chunk signature at byte {pos}")
        end, pos, start = min(pos + size, len(container)), pos + 2, len(out)
        if not packed:
            out += container[pos : pos + _CHUNK]
            pos += _CHUNK
            continue
        while pos < end:
            flags, pos = container[pos], pos + 1
            for bit in range(8):
                if pos >= end:
                    break
                if not flags >> bit & 1:
                    out.append(container[pos])
                    pos += 1
                    continue
                (token,) = struct.unpack_from("<H", container, pos)
                pos += 2
                bits, _ = _copy_token_bits(len(out) - start)
                offset, length = (token >> (16 - bits)) + 1, (token & (0xFFFF >> bits)) + 3
                if offset > len(out) - start:
                    raise VbaProjectError(f"copy token points before its chunk at byte {pos}")
                for _ in range(length):  # byte by byte: a copy may overlap what it writes
                    out.append(out[-offset])
    return bytes(out)


def _candidates(data: bytes, at: int, start: int, end: int, heads: dict) -> tuple:
    """(offset, length) of the longest earlier match for ``data[at:]`` in its chunk, the nearest
    one on ties (the matching of [MS-OVBA] 2.4.1.3.19.4), and of the nearest match of 3 bytes;
    () when there is none."""
    _, longest = _copy_token_bits(at - start)
    best, best_at, near_at = 0, 0, None
    for cand in reversed(heads.get(data[at : at + _LITERAL_MATCH], ())):
        n = 0
        while at + n < end and data[cand + n] == data[at + n]:
            n += 1
        if n >= _LITERAL_MATCH and near_at is None:
            near_at = cand
        if n > best:
            best, best_at = n, cand
    if best < _LITERAL_MATCH:
        return ()
    return (at - best_at, min(best, longest)), (at - near_at, _LITERAL_MATCH)


def _options(data: bytes, start: int, end: int) -> list[tuple]:
    """For each position of the chunk ``data[start:end]``, its copy-token candidates."""
    heads: dict[bytes, list[int]] = {}
    found = []
    for at in range(start, end):
        found.append(_candidates(data, at, start, end, heads))
        heads.setdefault(data[at : at + _LITERAL_MATCH], []).append(at)
    return found


def _encode(data: bytes, start: int, tokens: list[tuple[int, int]]) -> bytes:
    """A compressed chunk from (offset, length) tokens, length 0 for a literal."""
    out, at = bytearray(), start
    for i, (offset, length) in enumerate(tokens):
        if i % 8 == 0:
            flag_at = len(out)
            out.append(0)
        if length:
            bits, _ = _copy_token_bits(at - start)
            out += struct.pack("<H", (offset - 1) << (16 - bits) | (length - 3))
            out[flag_at] |= 1 << (i % 8)
        else:
            out.append(data[at])
        at += length or 1
    return struct.pack("<H", 0xB000 | (len(out) - 1)) + bytes(out)


def _chunk(data: bytes, start: int) -> bytes:
    """The compressed chunk of ``data[start:start + 4096]``: the longest match at each step."""
    end = min(start + _CHUNK, len(data))
    options, tokens, at = _options(data, start, end), [], start
    while at < end:
        tokens.append(options[at - start][0] if options[at - start] else (0, 0))
        at += tokens[-1][1] or 1
    packed = _encode(data, start, tokens)
    if end - start == _CHUNK and len(packed) > _CHUNK + 2:  # raw is shorter ([MS-OVBA] 2.4.1.3.10)
        return struct.pack("<H", 0x3000 | (_CHUNK - 1)) + data[start:end]
    return packed


def _exact_chunk(data: bytes, start: int, size: int) -> bytes | None:
    """A compressed chunk of ``data[start:]`` (at most 4096 bytes) exactly ``size`` bytes long,
    choosing at each position a literal, the longest match or a 3-byte one; None if none is.

    Dynamic programming over (position, tokens mod 8, bytes so far): a token costs 1 (literal) or
    2 bytes, and every 8th token starts with a new flag byte.
    """
    end, body = len(data), size - 2
    options = _options(data, start, end)
    reach: list[dict] = [{} for _ in range(end - start + 1)]
    reach[0][(0, 0)] = None
    for i in range(end - start):
        for m, spent in list(reach[i]):
            for offset, length in ((0, 0), *options[i]):
                cost = (2 if length else 1) + (m == 0)
                state = ((m + 1) % 8, spent + cost)
                if spent + cost <= body:
                    reach[i + (length or 1)].setdefault(state, (i, m, spent, offset, length))
    final = next((s for s in reach[end - start] if s[1] == body), None)
    if final is None:
        return None
    tokens, i, state = [], end - start, final
    while i:
        j, m, spent, offset, length = reach[i][state]
        tokens.append((offset, length))
        i, state = j, (m, spent)
    return _encode(data, start, tokens[::-1])


def compress(data: bytes, *, size: int | None = None) -> bytes:
    """Compress ``data`` as an [MS-OVBA] 2.4.1 CompressedContainer (the specification's matching:
    longest match, nearest on ties); with ``size``, exactly ``size`` bytes long, by writing some
    matches of the last chunk as literals or shorter matches (a :class:`VbaProjectError` when no
    such spelling has that length).

    Examples
    --------
    The normal compression example of [MS-OVBA] 3.2.2:

    >>> compress(b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa").hex(" ")[:47]
    '01 2f b0 00 23 61 61 61 62 63 64 65 82 66 00 70'
    >>> len(compress(b"abcabcabcabc", size=10))
    10
    """
    chunks = [_chunk(data, s) for s in range(0, len(data), _CHUNK)]
    best = b"\x01" + b"".join(chunks)
    if size is None or len(best) == size:
        return best
    if len(best) > size:
        raise VbaProjectError(f"{len(data)} bytes compress to {len(best)}, more than {size}")
    head = b"\x01" + b"".join(chunks[:-1])
    last = _exact_chunk(data, _CHUNK * (len(chunks) - 1), size - len(head))
    if last is None:
        raise VbaProjectError(f"{len(data)} bytes cannot be compressed to exactly {size} bytes")
    return head + last


@dataclass(frozen=True)
class Module:
    """A module of the project as the ``dir`` stream lists it."""

    name: str
    stream: str
    offset: int


def modules(dir_stream: bytes) -> list[Module]:
    """The modules listed in a decompressed ``dir`` stream ([MS-OVBA] 2.3.4.2), in order."""
    found, name, stream, pos = [], None, None, 0
    codepage = "cp1252"
    while pos + 6 <= len(dir_stream):
        rid, size = struct.unpack_from("<HI", dir_stream, pos)
        if rid == 0x09:  # PROJECTVERSION: its Reserved field reads 4, then 6 more bytes
            size = 6
        body = dir_stream[pos + 6 : pos + 6 + size]
        pos += 6 + size
        if rid == 0x03:  # PROJECTCODEPAGE
            codepage = f"cp{struct.unpack('<H', body)[0]}"
        elif rid == 0x19:  # MODULENAME
            name = body.decode(codepage)
        elif rid == 0x1A:  # MODULESTREAMNAME
            stream = body.decode(codepage)
        elif rid == 0x31:  # MODULEOFFSET
            found.append(Module(name, stream, struct.unpack("<I", body)[0]))
    return found


@dataclass(frozen=True)
class Project:
    """A read view of a ``vbaProject.bin``: its streams' bytes and its modules' sources."""

    streams: dict[str, bytes]
    modules: dict[str, Module]
    codepage: str = "cp1252"

    @classmethod
    def read(cls, data: bytes) -> Project:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(p): ole.openstream(p).read() for p in ole.listdir(storages=False)}
        if "VBA/dir" not in streams:
            raise VbaProjectError("expected a VBA project with a VBA/dir stream")
        listed = modules(decompress(streams["VBA/dir"]))
        return cls(streams, {m.name: m for m in listed})

    def source(self, name: str) -> str:
        """The source text of module ``name`` (lines end with CR LF, as VBA writes them)."""
        module = self.modules[name]
        raw = self.streams[f"VBA/{module.stream}"][module.offset :]
        return decompress(raw).decode(self.codepage)

    @property
    def version(self) -> int:
        return struct.unpack_from("<H", self.streams["VBA/_VBA_PROJECT"], 2)[0]


def replace_module(data: bytes, name: str, source: str) -> bytes:
    """``data`` (a ``vbaProject.bin``) with the source of module ``name`` replaced by ``source``
    (``\\n`` line ends are written as CR LF); every other byte is kept.

    The new source is compressed to the old container's exact length, so ``source`` must not
    compress to more than that (raise :class:`VbaProjectError`; pad with a comment to fill).
    """
    project = Project.read(data)
    if project.version != SOURCE_ONLY_VERSION:
        raise VbaProjectError(
            f"expected a VBA project whose p-code Excel ignores (_VBA_PROJECT Version 0xFFFF), "
            f"got 0x{project.version:04X}: its old p-code could run instead of the new source"
        )
    if name not in project.modules:
        raise VbaProjectError(f"expected a VBA module '{name}', got {', '.join(project.modules)}")
    module = project.modules[name]
    path = f"VBA/{module.stream}"
    old = project.streams[path]
    text = "\r\n".join(source.replace("\r\n", "\n").split("\n")).encode(project.codepage)
    try:
        new = old[: module.offset] + compress(text, size=len(old) - module.offset)
    except VbaProjectError as exc:
        raise VbaProjectError(
            f"the new source of VBA module '{name}' does not fit its stream in place: {exc}"
        ) from None
    buffer = io.BytesIO(data)
    with olefile.OleFileIO(buffer, write_mode=True) as ole:
        ole.write_stream(path, new)
    return buffer.getvalue()
