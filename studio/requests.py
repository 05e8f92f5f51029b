"""Checking what the page sends: every bad value becomes one sentence the page shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .engine import StudioError

MAX_COUNT = 64  # paintings per batch
MAX_MORE = 16
MAX_FRAMES = 60
MAX_SEED = 2**63 - 1


def _integer(body: dict, key: str, default: int | None, low: int, high: int, what: str) -> int:
    value = body.get(key, default)
    if value is None or value == "":
        if default is None:
            raise StudioError(f"{what} is missing")
        value = default
    if isinstance(value, bool):
        raise StudioError(f"{what} must be a whole number, not {value!r}")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise StudioError(f"{what} must be a whole number, not {str(value)[:40]!r}") from None
    if not low <= number <= high:
        raise StudioError(f"{what} must be between {low} and {high}, not {number}")
    return number


def _number(body: dict, key: str, default: float, low: float, high: float, what: str) -> float:
    value = body.get(key, default)
    if value is None or value == "":
        value = default
    try:
        number = float(str(value).strip())
    except ValueError:
        raise StudioError(f"{what} must be a number, not {str(value)[:40]!r}") from None
    if not (low < number <= high):
        raise StudioError(f"{what} must be more than {low:g} and at most {high:g}, not {number:g}")
    return number


def _text(body: dict, key: str) -> str | None:
    value = body.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise StudioError(f"{key} must be text")
    return value.strip()


def as_object(body: Any) -> dict:
    if not isinstance(body, dict):
        raise StudioError("the request must be a JSON object")
    return body


@dataclass(frozen=True)
class PaintRequest:
    painter: str | None
    seed: int
    count: int
    truncation: float
    class_name: str | None

    @classmethod
    def parse(cls, body: Any) -> "PaintRequest":
        body = as_object(body)
        return cls(_text(body, "painter"), _integer(body, "seed", 0, 0, MAX_SEED, "the seed"),
                   _integer(body, "count", 16, 1, MAX_COUNT, "the number of paintings"),
                   _number(body, "truncation", 1.0, 0.0, 1.0, "truncation"), _text(body, "class"))


@dataclass(frozen=True)
class MoreRequest:
    count: int
    step: float

    @classmethod
    def parse(cls, body: Any) -> "MoreRequest":
        body = as_object(body)
        return cls(_integer(body, "count", 8, 1, MAX_MORE, "the number of neighbours"),
                   _number(body, "step", 0.35, 0.0, 2.0, "the step size"))


@dataclass(frozen=True)
class WalkRequest:
    start: str
    end: str
    frames: int

    @classmethod
    def parse(cls, body: Any) -> "WalkRequest":
        body = as_object(body)
        start, end = _text(body, "from"), _text(body, "to")
        if not start or not end:
            raise StudioError("a walk needs two paintings: star two favourites and pick them")
        if start == end:
            raise StudioError("a walk needs two different paintings")
        return cls(start, end, _integer(body, "frames", 24, 2, MAX_FRAMES, "frames"))
