"""Posting configuration: a TOML file, overridden by ARTGAN_* environment variables.

The file (``--config``, else ``$ARTGAN_CONFIG``, else ``config.toml`` in the
user config folder when it exists) never holds secrets: a token key in it is an
error.  The Instagram token comes from ``ARTGAN_IG_ACCESS_TOKEN`` or from a file
readable by its owner only (mode 0600) named by ``instagram.token_file`` /
``ARTGAN_IG_TOKEN_FILE``.  Tokens live in :class:`Secret`, whose repr and str
are masked, so neither logs nor error messages can print them.
"""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from platformdirs import user_config_path

from .captions import DEFAULT_HASHTAGS, DEFAULT_TEMPLATE, CaptionError, check_template, normalise_hashtags
from .memorisation import DEFAULT_MAX_DISTANCE
from .picker import DEFAULT_NOVELTY_BITS

PUBLISHERS = ("feed", "instagram")
SECRET_KEYS = {"access_token", "token", "password", "secret", "app_secret"}
DEFAULT_GRAPH_URL = "https://graph.facebook.com/v21.0"


class ConfigError(Exception):
    """Configuration that cannot be used, with a message meant for the user."""


class Secret:
    """A string that never shows itself: repr/str print a mask; use ``.reveal()`` where it is sent."""

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__


@dataclass
class FeedConfig:
    folder: Path | None = None  # default: STATE/feed
    title: str = "artgan: painting of the day"
    public_base_url: str | None = None


@dataclass
class InstagramConfig:
    user_id: str | None = None
    graph_url: str = DEFAULT_GRAPH_URL
    token_file: Path | None = None
    token: Secret | None = field(default=None, repr=False)

    def require(self, public_base_url: str | None) -> tuple[str, Secret, str]:
        """user id, token and public base URL, or a ConfigError that says how to provide what is missing."""
        missing = []
        if not self.user_id:
            missing.append("the Instagram user id (instagram.user_id or ARTGAN_IG_USER_ID)")
        if self.token is None:
            missing.append("an access token (ARTGAN_IG_ACCESS_TOKEN, or a 0600 file in instagram.token_file)")
        if not public_base_url:
            missing.append("the public URL of the feed folder (feed.public_base_url or ARTGAN_PUBLIC_BASE_URL)")
        if missing:
            raise ConfigError("the instagram publisher needs " + "; ".join(missing))
        assert self.user_id and self.token and public_base_url
        return self.user_id, self.token, public_base_url


@dataclass
class PostConfig:
    publishers: list[str] = field(default_factory=lambda: ["feed"])
    candidates: int = 64
    hashtags: list[str] = field(default_factory=lambda: list(DEFAULT_HASHTAGS))
    caption_template: str = DEFAULT_TEMPLATE
    novelty_bits: int = DEFAULT_NOVELTY_BITS
    copy_distance: float = DEFAULT_MAX_DISTANCE
    feed: FeedConfig = field(default_factory=FeedConfig)
    instagram: InstagramConfig = field(default_factory=InstagramConfig)


TOP_KEYS = {"publishers", "candidates", "hashtags", "caption_template", "novelty_bits", "copy_distance", "feed", "instagram"}
FEED_KEYS = {"folder", "title", "public_base_url"}
INSTAGRAM_KEYS = {"user_id", "graph_url", "token_file"}


def default_config_path() -> Path:
    return user_config_path("artgan", appauthor=False) / "config.toml"


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> PostConfig:
    env = os.environ if env is None else env
    explicit = path or (Path(env["ARTGAN_CONFIG"]) if env.get("ARTGAN_CONFIG") else None)
    source = explicit or default_config_path()
    raw: dict[str, Any] = {}
    if explicit is not None and not source.is_file():
        raise ConfigError(f"config file not found: {source}")
    if source.is_file():
        try:
            raw = tomllib.loads(source.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{source} is not valid TOML ({exc})") from None
    config = _from_table(raw, source)
    _apply_env(config, env)
    _check(config)
    return config


def _section(raw: dict[str, Any], name: str, allowed: set[str], source: Path) -> dict[str, Any]:
    table = raw.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: [{name}] must be a table")
    secrets = SECRET_KEYS & set(table)
    if secrets:
        raise ConfigError(
            f"{source}: [{name}] {sorted(secrets)[0]} must not be in the config file. Put the token in "
            "ARTGAN_IG_ACCESS_TOKEN or in a file only you can read (chmod 600) named by instagram.token_file."
        )
    unknown = set(table) - allowed
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) in [{name}]: {', '.join(sorted(unknown))}; known: {', '.join(sorted(allowed))}")
    return table


def _from_table(raw: dict[str, Any], source: Path) -> PostConfig:
    top = {k: v for k, v in raw.items() if k not in ("feed", "instagram")}
    if SECRET_KEYS & set(top):
        raise ConfigError(f"{source}: secrets must not be in the config file; use ARTGAN_IG_ACCESS_TOKEN or a 0600 token file")
    unknown = set(top) - TOP_KEYS
    if unknown:
        raise ConfigError(f"{source}: unknown key(s): {', '.join(sorted(unknown))}; known: {', '.join(sorted(TOP_KEYS))}")
    feed = _section(raw, "feed", FEED_KEYS, source)
    insta = _section(raw, "instagram", INSTAGRAM_KEYS, source)
    config = PostConfig()
    try:
        for key, value in top.items():
            expected = type(getattr(config, key))
            if expected is float and isinstance(value, int):
                value = float(value)
            if not isinstance(value, expected) or isinstance(value, bool):
                raise ConfigError(f"{source}: {key} must be a {expected.__name__}, not {value!r}")
            setattr(config, key, value)
        config.feed = FeedConfig(
            folder=Path(feed["folder"]).expanduser() if "folder" in feed else None,
            title=str(feed.get("title", FeedConfig.title)),
            public_base_url=feed.get("public_base_url"),
        )
        config.instagram = InstagramConfig(
            user_id=str(insta["user_id"]) if "user_id" in insta else None,
            graph_url=str(insta.get("graph_url", DEFAULT_GRAPH_URL)),
            token_file=Path(insta["token_file"]).expanduser() if "token_file" in insta else None,
        )
    except TypeError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    return config


def _apply_env(config: PostConfig, env: Mapping[str, str]) -> None:
    if env.get("ARTGAN_PUBLISHERS"):
        config.publishers = [p.strip() for p in env["ARTGAN_PUBLISHERS"].split(",") if p.strip()]
    if env.get("ARTGAN_FEED_DIR"):
        config.feed.folder = Path(env["ARTGAN_FEED_DIR"]).expanduser()
    if env.get("ARTGAN_PUBLIC_BASE_URL"):
        config.feed.public_base_url = env["ARTGAN_PUBLIC_BASE_URL"]
    if env.get("ARTGAN_IG_USER_ID"):
        config.instagram.user_id = env["ARTGAN_IG_USER_ID"]
    if env.get("ARTGAN_GRAPH_URL"):
        config.instagram.graph_url = env["ARTGAN_GRAPH_URL"]
    if env.get("ARTGAN_IG_TOKEN_FILE"):
        config.instagram.token_file = Path(env["ARTGAN_IG_TOKEN_FILE"]).expanduser()
    if env.get("ARTGAN_IG_ACCESS_TOKEN"):
        config.instagram.token = Secret(env["ARTGAN_IG_ACCESS_TOKEN"].strip())
    elif config.instagram.token_file is not None:
        config.instagram.token = read_token_file(config.instagram.token_file)


def read_token_file(path: Path) -> Secret:
    try:
        info = path.stat()
    except OSError:
        raise ConfigError(f"token file not found: {path}") from None
    if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"token file {path} can be read by others (mode {stat.S_IMODE(info.st_mode):o}); run: chmod 600 {path}")
    token = path.read_text(encoding="utf-8").strip()
    if not token:
        raise ConfigError(f"token file {path} is empty")
    return Secret(token)


def _check(config: PostConfig) -> None:
    unknown = [p for p in config.publishers if p not in PUBLISHERS]
    if unknown or not config.publishers:
        raise ConfigError(f"unknown publisher(s) {', '.join(unknown) or '(none given)'}; choose from {', '.join(PUBLISHERS)}")
    if config.candidates < 1:
        raise ConfigError("candidates must be at least 1")
    if not 0 <= config.novelty_bits <= 64:
        raise ConfigError("novelty_bits must be between 0 and 64")
    try:
        check_template(config.caption_template)
        config.hashtags = normalise_hashtags(config.hashtags)
    except CaptionError as exc:
        raise ConfigError(str(exc)) from None
