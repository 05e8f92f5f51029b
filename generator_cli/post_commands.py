"""`artgan post` and `artgan pick`: the painting of the day (no TensorFlow)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

import typer
from rich.markup import escape

from .console import err, fail, out, require_out_folder, user_errors

if TYPE_CHECKING:
    from artgan.scheduler.config import PostConfig
    from artgan.scheduler.daily import DailySettings, Painter
    from artgan.scheduler.history import History
    from artgan.scheduler.publishers.base import Publisher

ConfigOption = typer.Option(None, "--config", help="TOML config file \\[default: $ARTGAN_CONFIG or the user config folder's config.toml].")
StateOption = typer.Option(None, "--state", help="History, staging and log folder \\[default: user data dir].")
FeedOption = typer.Option(None, "--feed", help="Feed folder \\[default: config, else STATE/feed].")
ModelOption = typer.Option(None, "--model", "-m", help="Painter path or name \\[default: bundled].")
PublisherOption = typer.Option(None, "--publisher", "-p", help="feed, instagram, mastodon or bluesky; repeat for several \\[default: config, else feed].")
DateOption = typer.Option(None, "--date", help="Post for this date (YYYY-MM-DD) \\[default: today].")
CandidatesOption = typer.Option(None, "--candidates", "--n", min=1, help="Candidates to paint per day \\[default: config, else 64].")
VerboseOption = typer.Option(False, "--verbose", "-v", help="Show every candidate's scores on stderr too.")


def default_state_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path("artgan", appauthor=False)


def user_error_types() -> tuple[type[BaseException], ...]:
    """Every scheduler exception that is a user-fixable problem, for `user_errors`."""
    from artgan.scheduler.captions import CaptionError
    from artgan.scheduler.config import ConfigError
    from artgan.scheduler.daily import NothingToPost
    from artgan.scheduler.history import HistoryError
    from artgan.scheduler.memorisation import ThumbnailIndexError
    from artgan.scheduler.publishers.base import PublishError

    return (ConfigError, CaptionError, HistoryError, ThumbnailIndexError, NothingToPost, PublishError)


def parse_day(day: Optional[str]) -> Optional[str]:
    if day is None:
        return None
    try:
        return dt.date.fromisoformat(day).isoformat()
    except ValueError:
        raise fail(f"--date must look like 2026-05-17, not {day!r}", code=2) from None


def setup_logging(state: Path | None, verbose: bool) -> None:
    """Every candidate's scores go to STATE/post.log (not for ``state=None``: `pick` writes no state);
    stderr shows warnings (and the scores with -v)."""
    from rich.logging import RichHandler

    logger = logging.getLogger("artgan.scheduler")
    logger.setLevel(logging.INFO)
    for old in logger.handlers[:]:  # a second command in the same process (tests) replaces, not adds
        logger.removeHandler(old)
        old.close()
    if state is not None:
        state.mkdir(parents=True, exist_ok=True)
        to_file = logging.FileHandler(state / "post.log", encoding="utf-8")
        to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(to_file)
    screen = RichHandler(console=err, show_path=False, show_time=False, markup=False)
    screen.setLevel(logging.INFO if verbose else logging.WARNING)
    logger.addHandler(screen)


@dataclass
class DailySetup:
    """Everything `post` and `schedule` need, built once from the options and the config."""

    config: "PostConfig"
    state: Path
    painter: "Painter"
    publishers: list["Publisher"]
    history: "History"
    settings: "DailySettings"

    @property
    def staging(self) -> Path:
        return self.state / "staging"


def build_setup(
    config_path: Optional[Path], state: Optional[Path], feed: Optional[Path], model: Optional[str],
    publishers: Optional[list[str]], candidates: Optional[int], read_only: bool = False,
) -> DailySetup:
    """Raises the scheduler's user errors; call inside `user_errors(*user_error_types())`.

    ``read_only`` opens the history without creating or changing it (`pick`)."""
    from artgan.painter.upscaling import load_upscaler, upscaler_beside
    from artgan.models.runtime import load_model
    from artgan.models.store import critic_path_for, resolve_painter
    from artgan.scheduler.config import PUBLISHERS, ConfigError, load_config
    from artgan.scheduler.daily import DailySettings, Painter
    from artgan.scheduler.history import History
    from artgan.scheduler.memorisation import ThumbnailIndex
    from artgan.scheduler.picker import PickRules
    from artgan.scheduler.publishers import BlueskyPublisher, FeedPublisher, InstagramPublisher, MastodonPublisher

    config = load_config(config_path)
    if publishers:
        unknown = [p for p in publishers if p not in PUBLISHERS]
        if unknown:
            raise ConfigError(f"unknown publisher {unknown[0]!r}; choose from {', '.join(PUBLISHERS)}")
        config.publishers = list(dict.fromkeys(publishers))
    state_dir = state or default_state_dir()
    painter_path = resolve_painter(model)
    critic_path = critic_path_for(painter_path)
    painter = Painter(
        load_model(painter_path, expect_kind="painter"),
        load_model(critic_path, expect_kind="critic") if critic_path else None,
        ThumbnailIndex.beside(painter_path),
        load_upscaler(upscaler_path) if (upscaler_path := upscaler_beside(painter_path)) else None,
    )
    feed_publisher = FeedPublisher(feed or config.feed.folder or state_dir / "feed", config.feed.title,
                                   config.feed.public_base_url)
    built: list = []
    for name in config.publishers:
        if name == "feed":
            built.append(feed_publisher)
        elif name == "instagram":
            user_id, token, _ = config.instagram.require(config.feed.public_base_url)
            built.append(InstagramPublisher(user_id, token, feed_publisher, config.instagram.graph_url))
        elif name == "mastodon":
            url, token = config.mastodon.require()
            m = config.mastodon
            built.append(MastodonPublisher(url, token, visibility=m.visibility, sensitive=m.sensitive,
                                           spoiler_text=m.spoiler_text, language=m.language))
        else:
            handle, password, service = config.bluesky.require()
            built.append(BlueskyPublisher(handle, password, service))
    settings = DailySettings(
        candidates=candidates or config.candidates, hashtags=tuple(config.hashtags), template=config.caption_template,
        alt_template=config.alt_text_template,
        rules=PickRules(novelty_bits=config.novelty_bits, copy_distance=config.copy_distance),
    )
    history = History(state_dir / "history.sqlite", read_only=read_only)
    return DailySetup(config, state_dir, painter, built, history, settings)


def post_day(setup: DailySetup, day: Optional[str], checkpoint: Callable[[str], None] = lambda step: None) -> bool:
    """Post ``day`` (default today) to every publisher; True when all of them have it.

    ``checkpoint`` is called at each step of the daily flow (see artgan.scheduler.daily); tests crash there."""
    from artgan.scheduler.daily import post_today
    from artgan.scheduler.publishers.base import PublishError

    ok = True
    for publisher in setup.publishers:
        try:
            result = post_today(setup.painter, publisher, setup.history, setup.staging, day, setup.settings, checkpoint)
        except PublishError as exc:
            err.print(f"[bold red]Not posted to {publisher.name}:[/] {escape(str(exc))}", highlight=False)
            ok = False
            continue
        post = result.post
        if result.already_posted:
            out.print(f"Already posted for {post.day} to {publisher.name} ({escape(post.title or '')}); nothing to do.",
                      highlight=False)
        else:
            out.print(f"Posted \"{escape(post.title or '')}\" for {post.day} to {publisher.name} ({post.remote_id})",
                      highlight=False)
        if result.picked is not None:
            for note in result.picked.notes:
                err.print(f"[dim]Note: {escape(note)}.[/]")
    return ok


def post(
    config: Optional[Path] = ConfigOption,
    publisher: Optional[list[str]] = PublisherOption,
    feed: Optional[Path] = FeedOption,
    state: Optional[Path] = StateOption,
    model: Optional[str] = ModelOption,
    candidates: Optional[int] = CandidatesOption,
    day: Optional[str] = DateOption,
    verbose: bool = VerboseOption,
) -> None:
    """Paint candidates, pick the best and post it as today's painting (at most once a day per publisher)."""
    day = parse_day(day)
    if feed is not None:
        require_out_folder(feed, "--feed")
    with user_errors(*user_error_types()):
        setup = build_setup(config, state, feed, model, publisher, candidates)
        setup_logging(setup.state, verbose)
        if not post_day(setup, day):
            raise typer.Exit(1)


def pick(
    n: int = typer.Option(64, "--n", min=1, help="How many candidates to paint."),
    top: int = typer.Option(5, "--top", min=1, help="How many of the best to show (and write with --out)."),
    model: Optional[str] = ModelOption,
    state: Optional[Path] = StateOption,
    config: Optional[Path] = ConfigOption,
    day: Optional[str] = DateOption,
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Write the top paintings here, prepared for posting (JPEG)."),
    verbose: bool = VerboseOption,
) -> None:
    """Paint N candidates for a day, score and vet them like `post` does, and show the best; posts nothing."""
    from artgan.models.atomic import write_bytes_atomic
    from artgan.scheduler.daily import pick_for_day, today
    from artgan.scheduler.prepare import post_image
    from rich.table import Table

    day = parse_day(day) or today()
    if out_dir is not None:
        require_out_folder(out_dir)
    with user_errors(*user_error_types()):
        setup = build_setup(config, state, None, model, ["feed"], n, read_only=True)
        setup_logging(None, verbose)  # posts nothing, so it writes no state either
        picked = pick_for_day(setup.painter, day, setup.history, setup.settings)
    for note in picked.notes:
        err.print(f"[dim]Note: {escape(note)}.[/]")
    table = Table("rank", "index", picked.score_name, "colourfulness", "phash", "nearest post (bits)", title=f"Best of {len(picked.candidates)} for {day}")
    for rank, c in enumerate(picked.ranked[:top], 1):
        table.add_row(str(rank), str(c.index), f"{c.score:.4f}", f"{c.colourfulness:.1f}", c.phash,
                      "-" if c.nearest_post is None else str(c.nearest_post))
    out.print(table)
    rejected = [c for c in picked.candidates if c.rejected]
    for c in rejected:
        err.print(f"[dim]rejected #{c.index}: {escape(c.rejected or '')}[/]")
    err.print(f"{len(picked.ranked)} accepted, {len(rejected)} rejected.")
    if out_dir is not None:
        for rank, c in enumerate(picked.ranked[:top], 1):
            path = out_dir / f"{day}-{rank:02d}-{c.index:04d}.jpg"
            write_bytes_atomic(path, post_image(c.image, upscaler=setup.painter.upscaler))
            print(path, flush=True)
