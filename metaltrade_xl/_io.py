"""Saving files safely: write beside the target, then rename, so no reader sees half a file."""

from __future__ import annotations

import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


@contextmanager
def atomic_path(path: str | Path, *, force: bool = False):
    """Yield a temporary path beside ``path``; on success rename it to ``path``, else delete it.

    An existing file is replaced only with ``force``.
    """
    path = Path(path)
    if path.exists() and not force:
        raise FileExistsError(f"{path} exists; use --force to replace it or choose another path")
    folder = path.resolve().parent
    if not folder.is_dir():
        raise FileNotFoundError(f"{path}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=folder)
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp makes the file private (0600); give it the mode a plain save would have
        os.chmod(tmp, path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def read_toml(path: str | Path, error: type[Exception]) -> dict:
    """A TOML file as a dict; a missing, unreadable or malformed file raises ``error`` in one line.

    A UTF-8 byte-order mark (Notepad adds one) is skipped; any other encoding is refused naming
    the file, the first byte that is not UTF-8 and how to save the file.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path.name}: no such file") from None
    except IsADirectoryError:
        raise error(f"{path.name}: is a folder, expected a TOML file") from None
    except PermissionError:
        raise error(f"{path.name}: permission denied (cannot read the file)") from None
    except OSError as exc:
        raise error(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(
            f"{path.name}: not UTF-8 text (byte {data[exc.start]:#04x} on line {line}; "
            "probably saved as ANSI/Windows-1252); save it as UTF-8 (in Notepad: Save As, "
            "Encoding UTF-8)"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path.name}: not valid TOML ({exc})") from None
