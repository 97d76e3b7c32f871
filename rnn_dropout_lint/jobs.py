"""One file, one job: checked or fixed, in this process or spread over worker processes.

Results come back in the order the files were found, whatever the number of jobs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
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


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def run_jobs(items: Sequence[Job | FileResult], workers: int) -> Iterator[Any]:
    """Results in input order; FileResults (files that could not be listed) pass through."""
    jobs = [item for item in items if isinstance(item, Job)]
    if workers <= 1 or len(jobs) < PARALLEL_MIN_FILES:
        for item in items:
            yield item if isinstance(item, FileResult) else run_job(item)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    chunk = max(1, min(32, len(jobs) // (workers * 8)))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        results = pool.map(run_job, jobs, chunksize=chunk)
        for item in items:
            yield item if isinstance(item, FileResult) else next(results)
