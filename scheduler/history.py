"""The posting history: one row per (day, publisher) in SQLite.

The primary key is what makes posting idempotent: a day's row is claimed
before anything is published, and only a row marked ``posted`` means done.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS posts (
    day TEXT NOT NULL,
    publisher TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'posted')),
    image_sha256 TEXT,
    image_path TEXT,
    score REAL,
    title TEXT,
    caption TEXT,
    remote_id TEXT,
    model TEXT,
    updated TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (day, publisher)
)
"""


@dataclass(frozen=True)
class Post:
    day: str
    publisher: str
    status: str
    image_sha256: str | None
    image_path: str | None
    score: float | None
    title: str | None
    caption: str | None
    remote_id: str | None
    model: str | None
    updated: str


class History:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        return db

    def get(self, day: str, publisher: str) -> Post | None:
        with closing(self._connect()) as db:
            row = db.execute(
                f"SELECT {', '.join(Post.__dataclass_fields__)} FROM posts WHERE day = ? AND publisher = ?",
                (day, publisher),
            ).fetchone()
        return Post(*row) if row else None

    def claim(self, day: str, publisher: str) -> Post | None:
        """Start the day's post; returns the existing row when the day already has one."""
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT OR IGNORE INTO posts (day, publisher, status) VALUES (?, ?, 'pending')", (day, publisher)
            )
        return self.get(day, publisher)

    def update(self, day: str, publisher: str, **values: object) -> None:
        allowed = set(Post.__dataclass_fields__) - {"day", "publisher", "updated"}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"unknown history fields: {sorted(unknown)}")
        assignments = ", ".join(f"{key} = ?" for key in values)
        with closing(self._connect()) as db, db:
            db.execute(
                f"UPDATE posts SET {assignments}, updated = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') "
                "WHERE day = ? AND publisher = ?",
                (*values.values(), day, publisher),
            )

    def all(self) -> list[Post]:
        with closing(self._connect()) as db:
            rows = db.execute(
                f"SELECT {', '.join(Post.__dataclass_fields__)} FROM posts ORDER BY day DESC, publisher"
            ).fetchall()
        return [Post(*row) for row in rows]
