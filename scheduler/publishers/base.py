"""The one small interface every publisher implements."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Publication:
    post_id: str  # the day, YYYY-MM-DD: publishing the same id twice must not make two posts
    image: Path  # the prepared JPEG
    title: str
    caption: str
    alt_text: str = ""  # the image description (screen readers); publishers fall back to the title without one


class Progress(Protocol):
    """A publisher's durable notebook for one post: what it has done so far, saved before its next step."""

    def get(self, key: str) -> str | None: ...

    def save(self, key: str, value: str | None) -> None: ...


class PublishError(Exception):
    """Publishing failed.  ``retry_later`` says whether a later run may succeed (the post stays pending)."""

    def __init__(self, message: str, retry_later: bool = True) -> None:
        super().__init__(message)
        self.retry_later = retry_later


class Publisher(Protocol):
    name: str

    def publish(self, publication: Publication, progress: Progress) -> str:
        """Publish ``post_id`` (or find its earlier publication, using ``progress``); return its remote id."""
        ...


class MemoryProgress:
    """Progress kept in a dict: for one-off use and tests."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def save(self, key: str, value: str | None) -> None:
        if value is None:
            self.values.pop(key, None)
        else:
            self.values[key] = value
