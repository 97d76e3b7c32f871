"""One file, one job: checked or fixed, in this process or spread over worker processes.

Results come back in the order the files were found, whatever the number of jobs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .engine import Settings, lint_file
from .findings import FileResult

PARALLEL_MIN_FILES = 8  # below this, starting workers costs more than it saves


@dataclass(frozen=True)
class Job:
    path: str
    settings: Settings
    mode: str = "check"  # "check" | "fix" | "diff"
    unsafe: bool = False


def run_job(job: Job) -> Any:
    """A FileResult for "check", a FixOutcome for "fix" and "diff"."""
    if job.mode == "check":
        return lint_file(job.path, job.settings)
    from .fix.apply import fix_file

    return fix_file(job.path, job.settings, job.unsafe, write=job.mode == "fix")


def _die_with_parent(parent: int) -> None:
    """Workers end when the run that started them is killed, instead of running on alone.

    Linux kills the worker when its parent dies (PR_SET_PDEATHSIG). A parent that died
    between the fork and this call is caught by the pid check after it; elsewhere a
    thread watches the parent's pid.
    """
    import signal

    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        import threading

        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # orphaned before the signal was armed
        os._exit(1)


def _watch_parent(parent: int) -> None:
    import time

    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(1)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def run_jobs(items: Sequence[Path | FileResult], make: Callable[[str], Job], workers: int) -> Iterator[Any]:
    """Results in input order; FileResults (files that could not be listed) pass through.

    Jobs are made one at a time, so a long run holds one job, not one per file.
    """
    files = sum(1 for item in items if not isinstance(item, FileResult))
    # More processes than cores only compete for them (and each costs memory): cap at what helps.
    workers = min(workers, default_jobs(), files)
    if workers <= 1 or files < PARALLEL_MIN_FILES:
        for item in items:
            yield item if isinstance(item, FileResult) else run_job(make(str(item)))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    chunk = max(1, min(32, files // (workers * 8)))
    jobs = (make(str(item)) for item in items if not isinstance(item, FileResult))
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_die_with_parent, initargs=(os.getpid(),)
    ) as pool:
        results = pool.map(run_job, jobs, chunksize=chunk)
        for item in items:
            yield item if isinstance(item, FileResult) else next(results)
