"""The posting history: one row per (day, publisher) in SQLite.

The primary key is what makes posting idempotent: a day's row is claimed
before anything is published, and only a row marked ``posted`` means done.

Status moves one way: ``pending`` (claimed) -> ``prepared`` (image, caption and
scores chosen and on disk) -> ``posted`` (the publisher confirmed, remote id
known).  ``progress`` holds a publisher's own checkpoints (for Instagram the
media container id), written as soon as they exist, so a rerun after a crash
resumes instead of starting over; ``error`` holds the last failure, for humans.
``alt_text`` is the image description every publisher sends, ``provenance`` how
the painting was made (painter hash, seed, index, truncation: enough to paint it
again) and ``chosen_by`` who chose it (``picker`` or ``hand``). ``stars`` keeps
the studio's favourites, by provenance too.

The ``queue`` table holds paintings a person chose in the studio ("Post this
next"), by provenance only: the next day that has no picture yet takes the
queue's head (``day`` is set on it in the same transaction that reads it, so a
crash and rerun take the same one) and repaints it from that provenance.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path

SCHEMA_VERSION = 3
STATUSES = ("pending", "prepared", "posted")
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS posts (
    day TEXT NOT NULL,
    publisher TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN {STATUSES}),
    image_sha256 TEXT,
    image_path TEXT,
    phash TEXT,
    score REAL,
    scores TEXT,
    title TEXT,
    caption TEXT,
    remote_id TEXT,
    progress TEXT NOT NULL DEFAULT '{{}}',
    error TEXT,
    model TEXT,
    alt_text TEXT,
    provenance TEXT,
    chosen_by TEXT,
    updated TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (day, publisher)
)
"""
QUEUE_SCHEMA = """
CREATE TABLE IF NOT EXISTS queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provenance TEXT NOT NULL,
    note TEXT,
    added TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    day TEXT UNIQUE,
    rejected TEXT
)
"""
STARS_SCHEMA = """
CREATE TABLE IF NOT EXISTS stars (
    provenance TEXT PRIMARY KEY,
    added TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
)
"""
V3_COLUMNS = (("alt_text", "TEXT"), ("provenance", "TEXT"), ("chosen_by", "TEXT"))
V1_COLUMNS = "day, publisher, status, image_sha256, image_path, score, title, caption, remote_id, model, updated"


class HistoryError(Exception):
    """A history database that cannot be used, with a message meant for the user."""


@dataclass(frozen=True)
class Post:
    day: str
    publisher: str
    status: str
    image_sha256: str | None
    image_path: str | None
    phash: str | None
    score: float | None
    scores: str | None  # JSON: the chosen candidate's scores and how it was scored
    title: str | None
    caption: str | None
    remote_id: str | None
    progress: str  # JSON object of the publisher's checkpoints
    error: str | None
    model: str | None
    alt_text: str | None
    provenance: str | None  # JSON: painter, its SHA-256, seed, index, truncation (enough to paint it again)
    chosen_by: str | None  # "picker" or "hand" (queued in the studio)
    updated: str

    @property
    def progress_dict(self) -> dict[str, str]:
        return json.loads(self.progress or "{}")


COLUMNS = ", ".join(Post.__dataclass_fields__)


@dataclass(frozen=True)
class QueueItem:
    id: int
    provenance: str  # JSON, as painter.provenance.Provenance.to_json writes it
    note: str | None
    added: str
    day: str | None  # the day that took it (None while it waits)
    rejected: str | None  # why `post` would not post it (near-duplicate, near-copy, other painter)

    @property
    def provenance_dict(self) -> dict:
        return json.loads(self.provenance)


QUEUE_COLUMNS = ", ".join(QueueItem.__dataclass_fields__)


class History:
    def __init__(self, path: Path, read_only: bool = False) -> None:
        """``read_only`` (for `pick` and `history`): never create or change anything on disk.

        The file, when there is one, is copied into memory and migrated there, so an
        older schema reads like the current one; a missing file is an empty history."""
        self.path = path
        self._db: sqlite3.Connection | None = None
        try:
            if read_only:
                self._db = self._in_memory_copy(path)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                self._migrate(db)
        except sqlite3.DatabaseError as exc:
            self.close()
            raise HistoryError(f"{path} is not a usable artgan history ({exc}); move it away to start a new one.") from None

    @staticmethod
    def _in_memory_copy(path: Path) -> sqlite3.Connection:
        memory = sqlite3.connect(":memory:")
        if path.is_file():
            # not mode=ro: a read-only reader of a WAL database leaves -wal/-shm files behind; this
            # connection only reads, and closing it as the last one removes them
            source = sqlite3.connect(path, timeout=30)
            try:
                source.backup(memory)
            finally:
                source.close()
        return memory

    def _connect(self) -> sqlite3.Connection:
        """One connection per History; every write is its own committed transaction (``with db:``)."""
        if self._db is None:
            db = sqlite3.connect(self.path, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")  # a committed row survives power loss
            self._db = db
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    @staticmethod
    def _migrate(db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"it was written by a newer artgan (schema {version})")
        exists = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'posts'").fetchone()
        if exists and version < 2:  # the first release: fewer columns, two statuses; keep its rows
            db.execute("ALTER TABLE posts RENAME TO posts_v1")
            db.execute(SCHEMA)
            db.execute(f"INSERT INTO posts ({V1_COLUMNS}) SELECT {V1_COLUMNS} FROM posts_v1")
            db.execute("DROP TABLE posts_v1")
        elif exists and version == 2:  # v3 added columns only
            for name, kind in V3_COLUMNS:
                db.execute(f"ALTER TABLE posts ADD COLUMN {name} {kind}")
        db.execute(SCHEMA)
        db.execute(QUEUE_SCHEMA)
        db.execute(STARS_SCHEMA)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def get(self, day: str, publisher: str) -> Post | None:
        db = self._connect()
        rows = db.execute(f"SELECT {COLUMNS} FROM posts WHERE day = ? AND publisher = ?", (day, publisher)).fetchall()
        return Post(*rows[0]) if rows else None  # fetchall: no half-read statement may pin an old WAL snapshot

    def claim(self, day: str, publisher: str) -> Post:
        """Start the day's post; returns the existing row when the day already has one."""
        with self._connect() as db:
            db.execute("INSERT OR IGNORE INTO posts (day, publisher, status) VALUES (?, ?, 'pending')", (day, publisher))
        post = self.get(day, publisher)
        assert post is not None  # just inserted, in a database nobody deletes from
        return post

    def update(self, day: str, publisher: str, **values: object) -> None:
        allowed = set(Post.__dataclass_fields__) - {"day", "publisher", "updated"}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"unknown history fields: {sorted(unknown)}")
        if "status" in values and values["status"] not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}")
        assignments = ", ".join(f"{key} = ?" for key in values)
        with self._connect() as db:
            db.execute(
                f"UPDATE posts SET {assignments}, updated = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') "
                "WHERE day = ? AND publisher = ?",
                (*values.values(), day, publisher),
            )

    def save_progress(self, day: str, publisher: str, key: str, value: str | None) -> None:
        """Record (or with None forget) one publisher checkpoint, durably, before the next step."""
        with self._connect() as db:
            path = f'$."{key}"'
            if value is None:
                db.execute("UPDATE posts SET progress = json_remove(progress, ?) WHERE day = ? AND publisher = ?",
                           (path, day, publisher))
            else:
                db.execute("UPDATE posts SET progress = json_set(progress, ?, ?) WHERE day = ? AND publisher = ?",
                           (path, value, day, publisher))

    def all(self) -> list[Post]:
        db = self._connect()
        rows = db.execute(f"SELECT {COLUMNS} FROM posts ORDER BY day DESC, publisher").fetchall()
        return [Post(*row) for row in rows]

    def hashes_except(self, day: str) -> list[str]:
        """Perceptual hashes of every painting chosen for any other day, on any publisher."""
        db = self._connect()
        rows = db.execute("SELECT DISTINCT phash FROM posts WHERE day != ? AND phash IS NOT NULL", (day,)).fetchall()
        return [row[0] for row in rows]

    def pictures_for(self, day: str) -> list[Post]:
        """Every publisher's row for ``day`` that has chosen a picture, so all publishers post the same one."""
        db = self._connect()
        rows = db.execute(
            f"SELECT {COLUMNS} FROM posts WHERE day = ? AND image_path IS NOT NULL AND status != 'pending' "
            "ORDER BY publisher", (day,)
        ).fetchall()
        return [Post(*row) for row in rows]

    # -- the studio's queue ---------------------------------------------------------------------------

    def enqueue(self, provenance: str, note: str | None = None) -> QueueItem:
        with self._connect() as db:
            cursor = db.execute("INSERT INTO queue (provenance, note) VALUES (?, ?)", (provenance, note))
        item = self.queue_item(int(cursor.lastrowid or 0))
        assert item is not None
        return item

    def queue_item(self, item_id: int) -> QueueItem | None:
        rows = self._connect().execute(f"SELECT {QUEUE_COLUMNS} FROM queue WHERE id = ?", (item_id,)).fetchall()
        return QueueItem(*rows[0]) if rows else None

    def queue(self) -> list[QueueItem]:
        """The paintings still waiting, head first."""
        rows = self._connect().execute(
            f"SELECT {QUEUE_COLUMNS} FROM queue WHERE day IS NULL AND rejected IS NULL ORDER BY id").fetchall()
        return [QueueItem(*row) for row in rows]

    def take_queued(self, day: str) -> QueueItem | None:
        """The queued painting for ``day``: the one it already took (a rerun), else the head, now taken."""
        with self._connect() as db:
            rows = db.execute(f"SELECT {QUEUE_COLUMNS} FROM queue WHERE day = ?", (day,)).fetchall()
            if not rows:
                rows = db.execute(
                    f"SELECT {QUEUE_COLUMNS} FROM queue WHERE day IS NULL AND rejected IS NULL ORDER BY id LIMIT 1").fetchall()
                if rows:
                    db.execute("UPDATE queue SET day = ? WHERE id = ?", (day, rows[0][0]))
        return replace(QueueItem(*rows[0]), day=day) if rows else None

    def set_aside(self) -> list[QueueItem]:
        """Queued paintings `post` would not post, with the reason."""
        rows = self._connect().execute(
            f"SELECT {QUEUE_COLUMNS} FROM queue WHERE rejected IS NOT NULL ORDER BY id").fetchall()
        return [QueueItem(*row) for row in rows]

    def reject_queued(self, item_id: int, reason: str) -> None:
        """Give the day back and keep the reason: the painting is not posted, and the person can see why."""
        with self._connect() as db:
            db.execute("UPDATE queue SET day = NULL, rejected = ? WHERE id = ?", (reason, item_id))

    def unqueue(self, item_id: int) -> bool:
        """Remove a waiting painting; one that a day already took stays (it is that day's post)."""
        with self._connect() as db:
            return db.execute("DELETE FROM queue WHERE id = ? AND day IS NULL", (item_id,)).rowcount > 0

    # -- the studio's favourites ----------------------------------------------------------------------

    def star(self, provenance: str, starred: bool = True) -> None:
        with self._connect() as db:
            if starred:
                db.execute("INSERT OR IGNORE INTO stars (provenance) VALUES (?)", (provenance,))
            else:
                db.execute("DELETE FROM stars WHERE provenance = ?", (provenance,))

    def stars(self) -> list[str]:
        """Starred paintings' provenance JSON, oldest first."""
        return [row[0] for row in self._connect().execute("SELECT provenance FROM stars ORDER BY added, rowid").fetchall()]
