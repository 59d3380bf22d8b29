"""Running one piece of work in a forked child process, for the memory it leaves behind.

CPython rarely gives memory back to the system: a process that once parsed a thousand articles
stays that large. Work whose result is small can run in a child that exits when done, so the
parent never grows. Where that cannot be done (no fork on this platform, other threads
running, turned off with PIPELINE_WORKERS=0, no process to be had, or the child fails or
dies), `run_forked` returns None and the caller does the work itself, where any error surfaces
as it always would.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TypeVar

T = TypeVar("T")
# PIPELINE_WORKERS=0 keeps a build in one process: no child stages, no worker converts.
WORKERS_VARIABLE = "PIPELINE_WORKERS"


def forking_allowed() -> bool:
    """Linux (where fork is the default and safe here), no other thread running (a child gets
    only the thread that forked it), and not turned off."""
    if os.environ.get(WORKERS_VARIABLE, "1") == "0" or not sys.platform.startswith("linux"):
        return False
    return threading.active_count() == 1


def run_forked(work: Callable[[], T]) -> T | None:
    """`work()` run in a forked child and its result sent back, or None (see above)."""
    if not forking_allowed():
        return None
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(work, sender), daemon=True)
    try:
        process.start()
    except OSError:
        receiver.close()
        return None
    finally:
        sender.close()
    try:
        answer = receiver.recv()
    except Exception:  # the child failed or died before answering
        answer = None
    finally:
        receiver.close()
        process.join()
    return answer[0] if isinstance(answer, tuple) else None


def _child(work: Callable[[], object], sender: Connection) -> None:
    try:
        sender.send((work(),))
    except BaseException:  # the parent does the work again, and reports the error there
        os._exit(1)
    finally:
        sender.close()
