"""Worker processes die with their parent.

The process pools of `import` (validation), `replay` (rebuilding shares of the projects) and
`verify-log` (hashing) pass `die_with_parent` as their initializer: when the parent is killed
(SIGKILL, the OOM killer), its workers go too instead of living on, orphaned, holding connections
and locks. On Linux the kernel does it (prctl PR_SET_PDEATHSIG: SIGKILL when the thread that
started the worker ends — the pools above start their workers from the command's main thread);
elsewhere a daemon thread in the worker exits it once its parent is gone.
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WATCH_EVERY_S = 1.0


def die_with_parent(parent: int | None = None) -> None:
    """Make the calling (worker) process end when its parent process ends. `parent`: the pid of the
    process that started the pool (`initargs=(os.getpid(),)`), so that a parent killed while the
    worker was still starting is noticed too; by default the worker's parent now."""
    parent = os.getppid() if parent is None else parent
    if sys.platform.startswith("linux") and _pdeathsig(signal.SIGKILL):
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)
        return
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="die-with-parent", daemon=True).start()


def pool_options(nice: int = 0) -> dict:
    """`ProcessPoolExecutor(..., **pool_options())`: workers that die with this process; `nice`: and
    that yield the CPU by that much to the processes they feed (os.nice)."""
    if nice:
        return {"initializer": _nice_worker, "initargs": (os.getpid(), nice)}
    return {"initializer": die_with_parent, "initargs": (os.getpid(),)}


def _nice_worker(parent: int, nice: int) -> None:
    die_with_parent(parent)
    os.nice(nice)


def _pdeathsig(sig: int) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_EVERY_S)
    os._exit(1)
