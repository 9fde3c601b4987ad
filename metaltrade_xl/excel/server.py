"""xlwings Server for a whole team: ``metaltrade serve`` (needs ``pip install "metaltrade_xl[server]"``).

The ``xlwings-server`` package (FastAPI) answers Excel's add-in: ``/xlwings/custom-functions-meta``,
``/xlwings/custom-functions-code.js``, ``/xlwings/custom-functions-call``, the task pane and the
manifest. It imports two modules, ``custom_functions`` and ``custom_scripts``; here they are built
from :mod:`metaltrade_xl.udfs` and :mod:`metaltrade_xl.macros` and registered before the app is
imported, and its project folder is ``server_project/`` beside this file (a task pane with the
scenario button, nothing else), so no ``xlwings-server init`` project is needed.

A synchronous function runs on the event loop and one slow cell would hold every other call of
that worker, so the scenario-analysis functions (:data:`HEAVY`) are coroutines that run the
function in a separate process of lower priority (one per worker, started on first use). The
functions keep no state between calls, so any worker may answer any call.

``uvicorn`` imports the app as ``metaltrade_xl.excel.server:app`` in every worker; the attribute is
built on first access, so importing this module has no side effect.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sys
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import ModuleType

#: Functions that can take seconds (Monte Carlo, sensitivity, goal seek): run off the event loop.
HEAVY = frozenset({"MT_MONTECARLO", "MT_PROB_CLOSE", "MT_TORNADO", "MT_GRID", "MT_GOALSEEK"})
#: The xlwings-server project folder: templates/taskpane.html (the scenario button).
PROJECT_DIR = Path(__file__).with_name("server_project")
#: The import string uvicorn gives every worker.
APP = "metaltrade_xl.excel.server:app"
#: How much lower the heavy-call process runs (nice), so light calls keep their latency.
HEAVY_NICE = 10
LICENCE_HELP = (
    "xlwings Server needs a licence key in the environment variable XLWINGS_LICENSE_KEY: "
    "for non-commercial use (PolyForm Noncommercial 1.0.0, which includes government "
    "institutions) set XLWINGS_LICENSE_KEY=noncommercial; for commercial use get a key at "
    "https://www.xlwings.org/pricing (free trial: https://www.xlwings.org/trial)"
)
INSTALL_HELP = 'xlwings Server is not installed: pip install "metaltrade_xl[server]"'


class ServerSetupError(ValueError):
    """The server cannot start (no licence key, xlwings-server missing): one line to show."""


def check_licence(environ=None) -> str:
    """The licence key from ``XLWINGS_LICENSE_KEY``; a one-line error naming where to get one.

    Examples
    --------
    >>> check_licence({"XLWINGS_LICENSE_KEY": "noncommercial"})
    'noncommercial'
    >>> check_licence({})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    metaltrade_xl.excel.server.ServerSetupError: xlwings Server needs a licence key in ...
    """
    environ = os.environ if environ is None else environ
    key = environ.get("XLWINGS_LICENSE_KEY", "").strip()
    if not key:
        raise ServerSetupError(LICENCE_HELP)
    return key


def check_installed() -> None:
    """Raise a one-line error when the ``server`` extra is not installed."""
    import importlib.util

    if importlib.util.find_spec("xlwings_server") is None:
        raise ServerSetupError(INSTALL_HELP)


def prepare_environment(environ=None, *, workers: int = 1) -> None:
    """Settings the app needs, set before xlwings is first imported (inherited by workers).

    ``XLWINGS_ON_SERVER`` makes ``xw.func`` & co. xlwings Server's decorators; the project folder
    is ours unless one is given; socket.io (only used by streaming functions, which we do not
    have) is off with several workers, where it would need a message queue.
    """
    environ = os.environ if environ is None else environ
    environ["XLWINGS_ON_SERVER"] = "true"
    environ.setdefault("XLWINGS_PROJECT_DIR", str(PROJECT_DIR))
    environ.setdefault("XLWINGS_PROJECT_NAME", "metaltrade")
    if workers > 1:
        environ.setdefault("XLWINGS_ENABLE_SOCKETIO", "false")


# --- the modules xlwings Server imports ---------------------------------------------------------


def functions_module(udfs: ModuleType | None = None) -> ModuleType:
    """``custom_functions``: every ``MT_`` function of ``udfs`` (default
    :mod:`metaltrade_xl.udfs`); the :data:`HEAVY` ones as coroutines run off the event loop."""
    if udfs is None:
        from metaltrade_xl import udfs

    module = ModuleType("custom_functions", "The MT_ functions as xlwings Server serves them.")
    for name in udfs.__all__:
        f = getattr(udfs, name)
        setattr(module, name, off_the_loop(f) if name in HEAVY else f)
    return module


def scripts_module() -> ModuleType:
    """``custom_scripts``: the scenario button (``run_scenarios_script``)."""
    from metaltrade_xl.macros import run_scenarios_script

    module = ModuleType("custom_scripts", "The scenario macro as xlwings Server serves it.")
    module.run_scenarios_script = run_scenarios_script
    return module


def off_the_loop(f):
    """``f`` as a coroutine function that runs it in the heavy-call process.

    The wrapper keeps ``f``'s name, signature and xlwings metadata, so Excel sees the same
    function; ``inspect.iscoroutinefunction`` is what makes xlwings await it.
    """

    @functools.wraps(f)
    async def heavy(*args):
        return await run_heavy(f.__name__, args)

    return heavy


_pool: Executor | None = None
_pool_lock = threading.Lock()


def _executor() -> Executor | None:
    """The heavy-call process (spawned, not forked from a running event loop); a thread where
    processes cannot start; None where neither can (the call then runs in place)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            try:
                import multiprocessing

                context = multiprocessing.get_context("spawn")
                _pool = ProcessPoolExecutor(1, mp_context=context, initializer=_heavy_process)
            except (OSError, ImportError, NotImplementedError, RuntimeError):
                _pool = ThreadPoolExecutor(1, thread_name_prefix="metaltrade-heavy")
        return _pool


def _heavy_process() -> None:
    """Start-up of the heavy-call process: lower priority, leave with the worker, warm imports."""
    try:
        os.nice(HEAVY_NICE)
    except (AttributeError, OSError):  # Windows has no nice; a container may refuse it
        pass
    parent = os.getppid()

    def leave_with_parent():  # a worker killed by uvicorn must not leave this process behind
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=leave_with_parent, daemon=True).start()
    import metaltrade_xl.udfs  # noqa: F401  (the first heavy call need not wait for imports)


def warm_up() -> None:
    """Start the heavy-call process now rather than on the first heavy call (seconds)."""
    pool = _executor()
    if isinstance(pool, ProcessPoolExecutor):
        pool.submit(os.getpid)


def _reset(pool: Executor) -> None:
    global _pool
    with _pool_lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


async def run_heavy(name: str, args: tuple):
    """Run ``udfs.<name>(*args)`` in the heavy-call process and await its result."""
    pool = _executor()
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(pool, call_function, name, args)
    except BrokenProcessPool:
        _reset(pool)
        import xlwings as xw

        raise xw.XlwingsError(
            f"{name}: the calculation process stopped (out of memory?): ask for fewer paths or "
            "cells, or use `metaltrade run`"
        ) from None
    except RuntimeError as exc:  # threads or processes unavailable: run in place
        if "can't start new thread" not in str(exc) and "cannot schedule" not in str(exc):
            raise
        return call_function(name, args)


def call_function(name: str, args: tuple):
    """``metaltrade_xl.udfs.<name>(*args)``: what the heavy-call process runs."""
    from metaltrade_xl import udfs

    if name not in udfs.__all__:
        raise ValueError(f"expected the name of an MT_ function, got '{name}'")
    return getattr(udfs, name)(*args)


# --- the ASGI app ---------------------------------------------------------------------------------


def build_app():
    """xlwings Server's ASGI app serving our functions and script (what uvicorn runs)."""
    check_licence()
    check_installed()
    prepare_environment()
    sys.modules["custom_functions"] = functions_module()
    sys.modules["custom_scripts"] = scripts_module()
    from xlwings_server.main import main_app

    warm_up()
    return main_app


@functools.lru_cache(maxsize=1)
def _app():
    return build_app()


def __getattr__(name: str):
    if name == "app":
        return _app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    *,
    ssl_keyfile: str | None = None,
    ssl_certfile: str | None = None,
) -> None:
    """Run the server until interrupted (uvicorn; ``workers`` processes share the port)."""
    check_licence()
    check_installed()
    if workers < 1:
        raise ServerSetupError(f"--workers: expected a whole number >= 1, got {workers}")
    if (ssl_keyfile is None) != (ssl_certfile is None):
        raise ServerSetupError("give both --ssl-keyfile and --ssl-certfile, or neither")
    prepare_environment(workers=workers)
    import uvicorn

    uvicorn.run(
        APP,
        host=host,
        port=port,
        workers=workers,
        ssl_keyfile=ssl_keyfile,
        ssl_certfile=ssl_certfile,
        log_level=os.environ.get("XLWINGS_LOG_LEVEL", "info").lower(),
    )
