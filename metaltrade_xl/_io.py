"""Saving files safely (write beside the target, then rename, so no reader sees half a file),
reading a workbook's cells, possibly ahead of time, and the ``metaltrade`` process's start-up
(its garbage collector) and progress bar."""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import gc
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


#: Temp files are named ``.<target name>.~metaltrade-<pid>-<random><suffix>``: the process id
#: lets the next run tell an orphan (its process gone: killed, crashed) from a save under way.
TEMP_MARK = ".~metaltrade-"
_TEMP_PID = re.compile(re.escape(TEMP_MARK) + r"(\d+)-")
#: An orphan older than this is swept even where process ids cannot be checked (Windows).
ORPHAN_AGE_S = 3600.0
#: Signals that end the process cleanly (temp files removed first); SIGINT raises
#: KeyboardInterrupt, which the ``except BaseException`` below handles already.
_SIGNALS = tuple(getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n))

_live: set[str] = set()  # this process's temp files, until renamed or removed
_group: contextvars.ContextVar[list | None] = contextvars.ContextVar("save_group", default=None)
_handlers_installed = False


def check_writable(path: str | Path, *, force: bool = False, what: str = "") -> Path:
    """Refuse, before any work, an output that could not be saved: its folder missing, not a
    folder or not writable, the path a folder, or an existing file without ``force``."""
    path = Path(path)
    label = f"{what}: " if what else ""
    if path.is_dir():
        raise IsADirectoryError(f"{label}{path} is a folder; give a file name")
    if path.exists() and not force:
        raise FileExistsError(f"{path} exists; use --force to replace it or choose another path")
    folder = path.resolve().parent
    if not folder.is_dir():
        raise FileNotFoundError(f"{label}{path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(f"{label}{path}: folder {folder} is not writable")
    if path.exists() and not os.access(path, os.W_OK):
        raise PermissionError(f"{label}{path} is read-only; cannot replace it")
    return path


def check_outputs(force: bool, *outputs) -> None:
    """:func:`check_writable` for each ``(option, path)`` given (``path`` may be None), before
    any computation: a run of millions of paths must not fail at the end on a folder typo."""
    for what, path in outputs:
        if path:
            check_writable(path, force=force, what=what)


@contextmanager
def atomic_path(path: str | Path, *, force: bool = False):
    """Yield a temporary path beside ``path``; on success rename it to ``path``, else delete it.

    An existing file is replaced only with ``force``. Inside :func:`saved_together`, the rename
    waits for the other files of the group. Temp files are removed on errors, on SIGTERM/SIGHUP
    and at exit; orphans of killed runs are swept from the folder by the next save there. Errors
    name ``path``, never the temp file.
    """
    path = check_writable(path, force=force)
    folder = path.resolve().parent
    sweep(folder)
    _install_handlers()
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{path.name}{TEMP_MARK}{os.getpid()}-", suffix=path.suffix, dir=folder
        )
    except OSError as exc:
        raise _named(exc, path) from None
    os.close(fd)
    _live.add(tmp)
    try:
        yield Path(tmp)
        # mkstemp makes the file private (0600); give it the mode a plain save would have
        os.chmod(tmp, path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask())
        group = _group.get()
        if group is not None:
            group.append((tmp, path))
            return
        _commit([(tmp, path)])
    except OSError as exc:
        _discard(tmp)
        raise _named(exc, path) from None
    except BaseException:
        _discard(tmp)
        raise


@contextmanager
def saved_together():
    """Every :func:`atomic_path` inside is renamed into place at the end, together: either all
    the new files are in place or (on any error) none, the old ones kept, so a run never leaves
    a new workbook beside an old JSON. Signals wait while the files are renamed."""
    if _group.get() is not None:  # nested: the outer group commits
        yield
        return
    pairs: list = []
    token = _group.set(pairs)
    try:
        yield
    except BaseException:
        for tmp, _ in pairs:
            _discard(tmp)
        raise
    finally:
        _group.reset(token)
    try:
        _commit(pairs)
    except OSError as exc:
        raise _named(exc, pairs[0][1] if pairs else "") from None


def _commit(pairs: list) -> None:
    """Rename each temp file to its target; if one fails, put every target back as it was."""
    blocked = _block_signals()
    backups: list[tuple[Path, str | None]] = []
    done: list[int] = []
    try:
        if len(pairs) > 1:
            for _, target in pairs:
                backups.append((target, _backup(target) if target.exists() else None))
        for n, (tmp, target) in enumerate(pairs):
            os.replace(tmp, target)
            _live.discard(tmp)
            done.append(n)
    except BaseException:
        for n in done:  # roll back: old files back, new files without an old one removed
            target, old = backups[n]
            if old is not None:
                os.replace(old, target)
                _live.discard(old)
            else:
                target.unlink(missing_ok=True)
        for tmp, _ in pairs:
            _discard(tmp)
        raise
    finally:
        for _, old in backups:
            if old is not None:
                _discard(old)
        _unblock_signals(blocked)


def _backup(target: Path) -> str:
    """A second name for ``target``'s current content (a hard link, else a copy)."""
    fd, name = tempfile.mkstemp(
        prefix=f".{target.name}{TEMP_MARK}{os.getpid()}-", suffix=".old", dir=target.parent
    )
    os.close(fd)
    _live.add(name)
    os.unlink(name)
    try:
        os.link(target, name)
    except OSError:  # a file system without hard links
        shutil.copy2(target, name)
    return name


def sweep(folder: str | Path) -> list[Path]:
    """Remove the temp files that killed runs left in ``folder``; returns what was removed.

    A temp file is an orphan when the process that made it is gone (checked on POSIX) or, where
    that cannot be checked, when it is older than :data:`ORPHAN_AGE_S`.
    """
    removed = []
    try:
        candidates = list(Path(folder).glob(f".*{TEMP_MARK}*"))
    except OSError:
        return removed
    now = time.time()
    for f in candidates:
        hit = _TEMP_PID.search(f.name)
        if not hit or str(f) in _live:
            continue
        pid = int(hit.group(1))
        try:
            old = now - f.stat().st_mtime > ORPHAN_AGE_S
        except OSError:
            continue
        if pid == os.getpid() and not old:
            continue
        if old or not _alive(pid):
            try:
                f.unlink()
                removed.append(f)
            except OSError:
                pass
    return removed


def _alive(pid: int) -> bool:
    if os.name != "posix":  # os.kill(pid, 0) would terminate the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True


def _discard(name: str) -> None:
    _live.discard(name)
    with contextlib.suppress(OSError):
        os.unlink(name)


def _named(exc: OSError, path) -> OSError:
    """The same error, naming the target instead of a temp file."""
    if TEMP_MARK not in str(exc) and TEMP_MARK not in str(exc.filename or ""):
        return exc
    folder = Path(path).resolve().parent if path else ""
    if isinstance(exc, PermissionError):
        return PermissionError(f"{path}: permission denied (cannot write in {folder})")
    return type(exc)(f"{path}: cannot be saved ({exc.strerror or exc})")


def _cleanup_live() -> None:
    for name in list(_live):
        _discard(name)


def _on_signal(signum, frame) -> None:
    _cleanup_live()
    previous = _previous.get(signum, signal.SIG_DFL)
    if callable(previous):
        previous(signum, frame)
        return
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


_previous: dict = {}


def _install_handlers() -> None:
    """Clean up temp files on SIGTERM/SIGHUP and at exit (once; main thread only)."""
    global _handlers_installed
    if _handlers_installed:
        return
    _handlers_installed = True
    atexit.register(_cleanup_live)
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in _SIGNALS:
        try:
            current = signal.getsignal(sig)
            if current in (signal.SIG_IGN,):
                continue
            _previous[sig] = current
            signal.signal(sig, _on_signal)
        except (ValueError, OSError, RuntimeError):  # no signals here (a browser, a thread)
            pass


def _block_signals():
    if not hasattr(signal, "pthread_sigmask") or not _SIGNALS:
        return None
    try:
        return signal.pthread_sigmask(signal.SIG_BLOCK, {*_SIGNALS, signal.SIGINT})
    except (ValueError, OSError):
        return None


def _unblock_signals(previous) -> None:
    if previous is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


#: Longest error message shown (CLI line, Excel hover text); longer ones keep their ends.
MAX_MESSAGE = 400
#: Longest single word (a name, an id, a path) kept whole inside a message.
MAX_WORD = 60


def bounded(message: str) -> str:
    """``message`` cut to a readable length: words (names, ids) over :data:`MAX_WORD` characters
    shortened, then the middle of a message over :data:`MAX_MESSAGE` characters left out.

    Examples
    --------
    >>> bounded("name: expected at most 40 characters, got " + "x" * 20000)[-20:]
    'xxxxxxxxxxxxxxxxxxx…'
    >>> len(bounded("; ".join(f"id{i}" for i in range(1400)))) <= MAX_MESSAGE
    True
    """
    words = [w if len(w) <= MAX_WORD else w[: MAX_WORD - 1] + "…" for w in message.split(" ")]
    text = " ".join(words)
    if len(text) <= MAX_MESSAGE:
        return text
    head, tail = MAX_MESSAGE * 2 // 3, MAX_MESSAGE // 3 - 5
    return f"{text[:head]} … {text[-tail:]}"


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


# --- reading a workbook's cells, possibly ahead of time ------------------------------------

_AHEAD: dict[str, tuple[tuple, threading.Thread, list]] = {}  # by resolved path
_AHEAD_LOCK = threading.Lock()


def _identity(path: str | Path) -> tuple | None:
    """The file as it is now: resolved path, size and modification time (None if it is gone)."""
    try:
        st = os.stat(path)
        return (os.path.realpath(path), st.st_size, st.st_mtime_ns)
    except (OSError, ValueError):  # missing, unreadable, or not a path (an embedded NUL)
        return None


def _first_sheet_name(book) -> str:
    from python_calamine import SheetTypeEnum

    sheets = [s.name for s in book.sheets_metadata if s.typ == SheetTypeEnum.WorkSheet]
    if not sheets:
        raise ValueError("the workbook has no worksheet")
    return sheets[0]


def _first_sheet_cells(path: str | Path, nrows: int | None = None) -> list[list]:
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(str(path)) as book:
        sheet = book.get_sheet_by_name(_first_sheet_name(book))
        return sheet.to_python(skip_empty_area=False, nrows=nrows)


def _first_sheet_batch(path: str | Path):
    """The first worksheet as a ``pyarrow.RecordBatch`` read by fastexcel (calamine into Arrow
    columns, no Python object per cell): first row of the sheet as the header, each column typed
    from all its cells. ImportError where fastexcel or pyarrow is missing; fastexcel's error for
    a column of mixed cells (text and numbers, dates, booleans: ``dtype_coercion="strict"``).
    Empty and error cells (``#N/A``) are both null, as calamine's cell values make both ``""``.
    """
    import importlib.util

    if importlib.util.find_spec("pyarrow") is None:
        raise ImportError("pyarrow is not installed")
    import logging

    import fastexcel
    from python_calamine import CalamineWorkbook

    # fastexcel logs a column of empty cells as a warning; without a handler of its own Python
    # would print that on the terminal (a program that configures logging still gets it)
    log = logging.getLogger("fastexcel")
    if not log.handlers:
        log.addHandler(logging.NullHandler())
    with CalamineWorkbook.from_path(str(path)) as book:  # reads the workbook part alone
        name = _first_sheet_name(book)
    # skip_rows=0: the header is the sheet's row 1, not its first non-empty row
    return fastexcel.read_excel(str(path)).load_sheet(
        name, skip_rows=0, schema_sample_rows=None, dtype_coercion="strict", eager=True
    )


def read_ahead(path: str | Path) -> bool:
    """Start reading the first worksheet of the ``.xlsx``/``.xlsm`` file ``path`` on another
    thread; :func:`sheet_batch` and :func:`sheet_cells` take the result. True if a read was
    started.

    fastexcel and python-calamine parse with the GIL released, so the parse of a large data file
    (about 0.5 s for 50 000 rows) runs on a second core while this one imports numpy, pandas and
    the rest. The Arrow columns are read where fastexcel and pyarrow are installed, the cell
    values too where a column holds anything but text and numbers (the general path needs them).
    Nothing is read where threads cannot start or python-calamine is missing, and a failed
    read-ahead is forgotten: :func:`sheet_cells` then reads the file itself and raises its error.
    """
    key = _identity(path)
    if key is None or Path(path).suffix.lower() not in (".xlsx", ".xlsm"):
        return False
    try:
        import python_calamine  # noqa: F401
    except ImportError:  # pragma: no cover - a platform without its wheel
        return False
    found: dict = {}  # "batch" and/or "cells"

    def work():
        try:  # Arrow columns (fastexcel) where it can type every column
            batch = found["batch"] = _first_sheet_batch(path)
            if all(str(t) in _PLAIN for t in batch.schema.types):
                return
        except Exception:
            pass
        try:  # the cell values too where a column is not plainly text or numbers (booleans,
            # dates: the general path converts them) or fastexcel could not type one
            found["cells"] = _first_sheet_cells(path)
        except Exception:  # read again, and reported, by sheet_cells
            pass

    thread = threading.Thread(target=work, name="metaltrade-read-ahead", daemon=True)
    try:
        thread.start()
    except RuntimeError:  # no threads in this runtime (Pyodide)
        return False
    with _AHEAD_LOCK:
        _AHEAD[key[0]] = (key, thread, found)
    return True


#: Arrow types of columns a clean sheet has (text, numbers, no cell filled).
_PLAIN = ("string", "large_string", "double", "null")


def _take(path: str | Path, kind: str, *, drop: bool = False):
    """What a :func:`read_ahead` of the same, unchanged file read as ``kind`` ("batch" or
    "cells"; None if it did not), taken once. The other kind stays for its reader unless
    ``drop``."""
    key = _identity(path)
    if key is None:
        return None
    with _AHEAD_LOCK:
        started = _AHEAD.get(key[0])
    if started is None:
        return None
    known, thread, found = started
    thread.join()
    fits = known == key  # the same file, unchanged since the read-ahead began
    got = found.pop(kind, None) if fits else None
    if drop or not fits or not found:
        with _AHEAD_LOCK:
            if _AHEAD.get(key[0]) is started:
                del _AHEAD[key[0]]
    return got


def sheet_cells(path: str | Path, *, nrows: int | None = None) -> list[list]:
    """Cell values of the first worksheet of an ``.xlsx``/``.xlsm`` file, row by row (empty
    cells ``""``, numbers ``float``), read with python-calamine (ImportError where it is
    missing). The rows a :func:`read_ahead` of the same, unchanged file read are taken instead.
    """
    if nrows is None:  # a header alone never takes the rows
        rows = _take(path, "cells", drop=True)
        if rows is not None:
            return rows
    return _first_sheet_cells(path, nrows)


def sheet_batch(path: str | Path):
    """The first worksheet of an ``.xlsx``/``.xlsm`` file as Arrow columns (fastexcel; see
    :func:`_first_sheet_batch`), taken from a :func:`read_ahead` where one read it; None where
    fastexcel or pyarrow is missing or the sheet has a column of mixed cells (then the cell
    values, :func:`sheet_cells`, are what the general path reads).
    """
    batch = _take(path, "batch")
    if batch is not None:
        return batch
    key = _identity(path)
    with _AHEAD_LOCK:
        if key is not None and key[0] in _AHEAD:  # the read-ahead has the cell values
            return None
    try:
        return _first_sheet_batch(path)
    except Exception:  # missing reader, mixed columns, a broken file: the general path says
        return None


# --- the command's process: its garbage collector and its progress bar ---------------------
#
# The cyclic garbage collector of a ``metaltrade`` process, set for a command that ends when its
# work does (:func:`metaltrade_xl.cli.entry`).
#
# Python's cyclic collector walks every object it tracks in each full collection. numpy and pandas
# create a few hundred thousand objects on import, which live until exit: collected while they are
# made, they are walked again and again, and at exit the interpreter's last collections walk
# everything once more. So :func:`import_uncollected` imports them with the collector off and
# freezes what they made (later collections skip it), and :func:`frozen_at_exit` freezes what is
# left before the interpreter exits. Measured on the bundled ``metaltrade run``, whole processes
# interleaved: about 0.25 s of 1.6 s.
#
# The command's own garbage is still collected (the collector is on while it works), every file it
# writes is closed before it returns, and ``atexit`` handlers run as before. Only the console
# command does this: :func:`metaltrade_xl.cli.main` called in-process, and the Excel functions in a
# host process, leave the collector alone.


def import_uncollected() -> None:
    """Import numpy and pandas with the cyclic collector off, then freeze what exists (it lives
    until exit) and turn the collector back on if it was on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        import numpy  # noqa: F401
        import pandas  # noqa: F401
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def frozen_at_exit() -> None:
    """Freeze every tracked object, so that the interpreter's last collections skip them: the
    process is about to exit, which frees them anyway."""
    gc.freeze()


class Progress:
    """A progress bar on stderr, shown only on a terminal and only once a run passes a second."""

    def __init__(self, total: int, *, stream=None, clock=time.monotonic, delay: float = 1.0):
        self.total, self.stream, self.clock, self.delay = total, stream or sys.stderr, clock, delay
        self.start, self.count, self.shown = clock(), 0, False
        self.enabled = hasattr(self.stream, "isatty") and self.stream.isatty()

    def step(self, label: str) -> None:
        """Say that item ``count + 1`` (``label``) starts."""
        self.count += 1
        if self.enabled and self.clock() - self.start >= self.delay:
            self._draw(self.count - 1, label)

    def _draw(self, finished: int, label: str) -> None:
        width = 24
        filled = round(width * finished / max(self.total, 1))
        bar = "#" * filled + "." * (width - filled)
        self.stream.write(f"\r[{bar}] {finished}/{self.total} {label[:40]:<40}")
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            self._draw(self.total, "done")
            self.stream.write("\n")
            self.stream.flush()
