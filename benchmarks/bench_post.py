"""Where the time of one `artgan post` goes, and how fast the daily loop runs simulated days.

    python benchmarks/bench_post.py [--candidates 64] [--repeats 3] [--days 30]

In-process (no interpreter start-up), bundled painter and critic, feed publisher:
paint N candidates, score and vet them, prepare the 1080 px JPEG, publish; then
the schedule loop over --days simulated days with an injected clock.  Writes
benchmarks/results/post.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from artgan.painter.painting import generate
from artgan.models import load_model, resolve_painter
from artgan.models.store import critic_path_for
from artgan.scheduler.daily import DailySettings, Painter, post_today, seed_for
from artgan.scheduler.history import History
from artgan.scheduler.loop import DailyLoop
from artgan.scheduler.picker import score_candidates
from artgan.scheduler.prepare import post_image
from artgan.scheduler.publishers import FeedPublisher
from results_file import write_results  # noqa: E402 - benchmarks/ is sys.path[0] when run as a script


def timed(fn, repeats: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    path = resolve_painter(None)
    painter = Painter(load_model(path, device="cpu"), load_model(critic_path_for(path), device="cpu"))
    day = "2026-07-01"
    results: dict[str, float] = {}

    paint_s, images = timed(lambda: np.stack([im for _, im in generate(painter.model, seed_for(day), range(args.candidates))]),
                            args.repeats)
    score_s, picked = timed(lambda: score_candidates(list(range(args.candidates)), images, painter.critic, None, []),
                            args.repeats)
    prepare_s, jpeg = timed(lambda: post_image(picked.ranked[0].image), args.repeats)
    results.update(paint_s=paint_s, score_and_vet_s=score_s, prepare_jpeg_s=prepare_s, jpeg_bytes=len(jpeg))

    def whole_post() -> None:
        with tempfile.TemporaryDirectory() as state:
            state = Path(state)
            post_today(painter, FeedPublisher(state / "feed"), History(state / "h.sqlite"), state / "staging", day,
                       DailySettings(candidates=args.candidates))

    results["post_today_s"], _ = timed(whole_post, args.repeats)

    with tempfile.TemporaryDirectory() as state:
        state = Path(state)
        now = [dt.datetime(2026, 1, 1, 0, 0)]
        end = now[0] + dt.timedelta(days=args.days)
        history, feed = History(state / "h.sqlite"), FeedPublisher(state / "feed")
        settings = DailySettings(candidates=8)

        def post_day(day: str) -> bool:
            post_today(painter, feed, history, state / "staging", day, settings)
            return True

        def wait(seconds: float) -> bool:
            now[0] += dt.timedelta(seconds=seconds)
            return now[0] >= end

        loop = DailyLoop(post_day, lambda d: (r := history.get(d, "feed")) is not None and r.status == "posted",
                         dt.time(9, 0), clock=lambda: now[0], wait=wait)
        started = time.perf_counter()
        loop.run()
        results["simulated_days"] = args.days
        results["simulated_days_per_s"] = args.days / (time.perf_counter() - started)
        assert len(json.loads((state / "feed" / "feed.json").read_text())["posts"]) == args.days

    for key, value in results.items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")
    out = write_results("post", {"candidates": args.candidates, "repeats": args.repeats, **results})
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
