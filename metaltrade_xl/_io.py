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
    """A TOML file as a dict; a missing or malformed file raises ``error`` in one line."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise error(f"{path.name}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path.name}: not valid TOML ({exc})") from None
