"""Stop training at a step boundary on Ctrl-C or SIGTERM, so the checkpoint saved then is a consistent one.

A KeyboardInterrupt raised in the middle of a step can land after D's update
and before G's, or between the update and the step count: a checkpoint of that
state does not resume the uninterrupted run.  So the first SIGINT/SIGTERM only
asks the loop to stop; the loop finishes the step it is in, writes its metrics
row, saves the same checkpoint a periodic one is, and stops.  A second signal
stops at once, saving nothing (the last checkpoint stays the newest).
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Callable

SIGNALS = (signal.SIGINT, signal.SIGTERM)
NAMES = {signal.SIGINT: "Ctrl-C (SIGINT)", signal.SIGTERM: "SIGTERM"}


class StopRequest:
    """Installs the handlers between install() and uninstall() (main thread only; elsewhere it only holds a flag)."""

    def __init__(self) -> None:
        self.signal_name: str | None = None
        self._previous: dict[int, Callable | int | None] = {}

    @property
    def requested(self) -> bool:
        return self.signal_name is not None

    def request(self, name: str) -> None:
        self.signal_name = self.signal_name or name

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            raise KeyboardInterrupt  # the second signal: stop now
        self.request(NAMES.get(signal.Signals(signum), f"signal {signum}"))

    def install(self) -> None:
        if threading.current_thread() is threading.main_thread() and not self._previous:
            for sig in SIGNALS:
                self._previous[sig] = signal.signal(sig, self._handle)

    def uninstall(self) -> None:
        for sig, previous in self._previous.items():
            signal.signal(sig, previous if previous is not None else signal.SIG_DFL)
        self._previous.clear()

    def __enter__(self) -> "StopRequest":
        self.install()
        return self

    def __exit__(self, *exc: object) -> None:
        self.uninstall()


class TrainingStopped(KeyboardInterrupt):
    """Training stopped on request; ``checkpoint`` is the newest checkpoint on disk (None if none was written)."""

    def __init__(self, step: int, checkpoint, reason: str, saved_now: bool, at_once: bool = False) -> None:
        super().__init__(reason)
        self.step, self.checkpoint, self.reason = step, checkpoint, reason
        self.saved_now, self.at_once = saved_now, at_once  # at_once: mid-step, by a second signal
