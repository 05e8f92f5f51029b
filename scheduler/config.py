"""Posting configuration: a TOML file, overridden by ARTGAN_* environment variables.

The file (``--config``, else ``$ARTGAN_CONFIG``, else ``config.toml`` in the
user config folder when it exists) never holds secrets: a token key in it is an
error.  The Instagram token comes from ``ARTGAN_IG_ACCESS_TOKEN`` or from a file
readable by its owner only (mode 0600) named by ``instagram.token_file`` /
``ARTGAN_IG_TOKEN_FILE``; the Mastodon token and the Bluesky app password the
same way (``ARTGAN_MASTODON_TOKEN`` / ``mastodon.token_file``,
``ARTGAN_BSKY_APP_PASSWORD`` / ``bluesky.password_file``).  Tokens live in :class:`Secret`, whose repr and str
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

from .alt_text import DEFAULT_ALT_TEMPLATE, AltTextError, check_alt_template
from .captions import DEFAULT_HASHTAGS, DEFAULT_TEMPLATE, CaptionError, check_template, normalise_hashtags
from .memorisation import DEFAULT_MAX_DISTANCE
from .picker import DEFAULT_NOVELTY_BITS

PUBLISHERS = ("feed", "instagram", "mastodon", "bluesky")
VISIBILITIES = ("public", "unlisted", "private", "direct")
SECRET_KEYS = {"access_token", "token", "password", "app_password", "secret", "app_secret"}
DEFAULT_GRAPH_URL = "https://graph.facebook.com/v21.0"
DEFAULT_BSKY_SERVICE = "https://bsky.social"


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
class MastodonConfig:
    """A Mastodon account, or any server with the same API (Pixelfed)."""

    url: str | None = None  # the instance, e.g. https://mastodon.social or https://pixelfed.social
    token_file: Path | None = None
    visibility: str = "public"
    sensitive: bool = False
    spoiler_text: str = ""  # the content warning; empty for none
    language: str | None = None  # ISO 639-1, e.g. "en"
    token: Secret | None = field(default=None, repr=False)

    def require(self) -> tuple[str, Secret]:
        missing = []
        if not self.url:
            missing.append("the instance URL (mastodon.url or ARTGAN_MASTODON_URL)")
        if self.token is None:
            missing.append("an access token with write:media and write:statuses (ARTGAN_MASTODON_TOKEN, or a 0600 file in mastodon.token_file)")
        if missing:
            raise ConfigError("the mastodon publisher needs " + "; ".join(missing))
        assert self.url and self.token
        return self.url, self.token


@dataclass
class BlueskyConfig:
    handle: str | None = None  # e.g. artgan.bsky.social
    service: str = DEFAULT_BSKY_SERVICE  # the PDS that hosts the account
    password_file: Path | None = None
    password: Secret | None = field(default=None, repr=False)

    def require(self) -> tuple[str, Secret, str]:
        missing = []
        if not self.handle:
            missing.append("the account handle (bluesky.handle or ARTGAN_BSKY_HANDLE)")
        if self.password is None:
            missing.append("an app password (ARTGAN_BSKY_APP_PASSWORD, or a 0600 file in bluesky.password_file; "
                           "make one under Settings > Privacy and security > App passwords)")
        if missing:
            raise ConfigError("the bluesky publisher needs " + "; ".join(missing))
        assert self.handle and self.password
        return self.handle, self.password, self.service


@dataclass
class PostConfig:
    publishers: list[str] = field(default_factory=lambda: ["feed"])
    candidates: int = 64
    hashtags: list[str] = field(default_factory=lambda: list(DEFAULT_HASHTAGS))
    caption_template: str = DEFAULT_TEMPLATE
    alt_text_template: str = DEFAULT_ALT_TEMPLATE
    novelty_bits: int = DEFAULT_NOVELTY_BITS
    copy_distance: float = DEFAULT_MAX_DISTANCE
    feed: FeedConfig = field(default_factory=FeedConfig)
    instagram: InstagramConfig = field(default_factory=InstagramConfig)
    mastodon: MastodonConfig = field(default_factory=MastodonConfig)
    bluesky: BlueskyConfig = field(default_factory=BlueskyConfig)


SECTIONS = ("feed", "instagram", "mastodon", "bluesky")
TOP_KEYS = {"publishers", "candidates", "hashtags", "caption_template", "alt_text_template", "novelty_bits",
            "copy_distance", *SECTIONS}
FEED_KEYS = {"folder", "title", "public_base_url"}
INSTAGRAM_KEYS = {"user_id", "graph_url", "token_file"}
MASTODON_KEYS = {"url", "token_file", "visibility", "sensitive", "spoiler_text", "language"}
BLUESKY_KEYS = {"handle", "service", "password_file"}
SECRET_ADVICE = ("Put it in the environment (ARTGAN_IG_ACCESS_TOKEN, ARTGAN_MASTODON_TOKEN, ARTGAN_BSKY_APP_PASSWORD) "
                 "or in a file only you can read (chmod 600) named by token_file / password_file.")


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
            f"{source}: [{name}] {sorted(secrets)[0]} must not be in the config file. {SECRET_ADVICE}"
        )
    unknown = set(table) - allowed
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) in [{name}]: {', '.join(sorted(unknown))}; known: {', '.join(sorted(allowed))}")
    return table


def _from_table(raw: dict[str, Any], source: Path) -> PostConfig:
    top = {k: v for k, v in raw.items() if k not in SECTIONS}
    if SECRET_KEYS & set(top):
        raise ConfigError(f"{source}: secrets must not be in the config file. {SECRET_ADVICE}")
    unknown = set(top) - TOP_KEYS
    if unknown:
        raise ConfigError(f"{source}: unknown key(s): {', '.join(sorted(unknown))}; known: {', '.join(sorted(TOP_KEYS))}")
    feed = _section(raw, "feed", FEED_KEYS, source)
    insta = _section(raw, "instagram", INSTAGRAM_KEYS, source)
    masto = _section(raw, "mastodon", MASTODON_KEYS, source)
    bsky = _section(raw, "bluesky", BLUESKY_KEYS, source)
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
        if not isinstance(masto.get("sensitive", False), bool):
            raise ConfigError(f"{source}: [mastodon] sensitive must be true or false")
        config.mastodon = MastodonConfig(
            url=str(masto["url"]) if "url" in masto else None,
            token_file=Path(masto["token_file"]).expanduser() if "token_file" in masto else None,
            visibility=str(masto.get("visibility", "public")), sensitive=masto.get("sensitive", False),
            spoiler_text=str(masto.get("spoiler_text", "")),
            language=str(masto["language"]) if "language" in masto else None,
        )
        config.bluesky = BlueskyConfig(
            handle=str(bsky["handle"]).lstrip("@") if "handle" in bsky else None,
            service=str(bsky.get("service", DEFAULT_BSKY_SERVICE)),
            password_file=Path(bsky["password_file"]).expanduser() if "password_file" in bsky else None,
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
    if env.get("ARTGAN_MASTODON_URL"):
        config.mastodon.url = env["ARTGAN_MASTODON_URL"]
    if env.get("ARTGAN_MASTODON_TOKEN_FILE"):
        config.mastodon.token_file = Path(env["ARTGAN_MASTODON_TOKEN_FILE"]).expanduser()
    if env.get("ARTGAN_MASTODON_TOKEN"):
        config.mastodon.token = Secret(env["ARTGAN_MASTODON_TOKEN"].strip())
    elif config.mastodon.token_file is not None:
        config.mastodon.token = read_token_file(config.mastodon.token_file)
    if env.get("ARTGAN_BSKY_HANDLE"):
        config.bluesky.handle = env["ARTGAN_BSKY_HANDLE"].lstrip("@")
    if env.get("ARTGAN_BSKY_SERVICE"):
        config.bluesky.service = env["ARTGAN_BSKY_SERVICE"]
    if env.get("ARTGAN_BSKY_PASSWORD_FILE"):
        config.bluesky.password_file = Path(env["ARTGAN_BSKY_PASSWORD_FILE"]).expanduser()
    if env.get("ARTGAN_BSKY_APP_PASSWORD"):
        config.bluesky.password = Secret(env["ARTGAN_BSKY_APP_PASSWORD"].strip())
    elif config.bluesky.password_file is not None:
        config.bluesky.password = read_token_file(config.bluesky.password_file)


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
    if config.mastodon.visibility not in VISIBILITIES:
        raise ConfigError(f"mastodon.visibility must be one of {', '.join(VISIBILITIES)}, not {config.mastodon.visibility!r}")
    try:
        check_alt_template(config.alt_text_template)
    except AltTextError as exc:
        raise ConfigError(str(exc)) from None
    try:
        check_template(config.caption_template)
        config.hashtags = normalise_hashtags(config.hashtags)
    except CaptionError as exc:
        raise ConfigError(str(exc)) from None
