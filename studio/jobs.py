"""Long work (painting a batch, a walk) runs in the background; the page polls its progress."""

from __future__ import annotations

import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

from artgan.models.artifact import ModelError

from .engine import StudioError

log = logging.getLogger("artgan.studio.jobs")


@dataclass
class Job:
    id: str
    kind: str
    total: int
    done: int = 0
    status: str = "running"  # running, done, failed
    result: Any = None
    error: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def progress(self, done: int, total: int) -> None:
        with self.lock:
            self.done, self.total = done, total

    def as_json(self) -> dict:
        with self.lock:
            return {"id": self.id, "kind": self.kind, "done": self.done, "total": self.total, "status": self.status,
                    "result": self.result, "error": self.error}


class Jobs:
    """One worker: the painter already uses every core per batch, so jobs run one after another."""

    def __init__(self, keep: int = 200) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="artgan-studio")
        self._jobs: dict[str, Job] = {}
        self._keep = keep
        self._lock = threading.Lock()

    def start(self, kind: str, total: int, work: Callable[[Job], Any]) -> Job:
        job = Job(uuid.uuid4().hex[:12], kind, total)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > self._keep:
                self._jobs.pop(next(iter(self._jobs)))
        self._pool.submit(self._run, job, work)
        return job

    @staticmethod
    def _run(job: Job, work: Callable[[Job], Any]) -> None:
        try:
            result = work(job)
        except (StudioError, ModelError, ValueError) as exc:
            with job.lock:
                job.status, job.error = "failed", str(exc)
        except Exception as exc:  # the page gets a sentence; the log keeps the details
            log.exception("studio job %s failed", job.id)
            with job.lock:
                job.status, job.error = "failed", f"painting failed unexpectedly ({type(exc).__name__}: {exc})"
        else:
            with job.lock:
                job.status, job.result, job.done = "done", result, job.total

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise StudioError(f"no job {job_id!r}")
        return job

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
