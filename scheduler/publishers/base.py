from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Publication:
    post_id: str  # the day, YYYY-MM-DD: publishing the same id twice must not make two posts
    image: Path
    title: str
    caption: str


class Publisher(Protocol):
    name: str

    def publish(self, publication: Publication) -> str:
        """Publish (or find the earlier publication of) ``post_id``; return its remote id."""
        ...
