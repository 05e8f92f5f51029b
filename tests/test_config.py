"""Posting configuration: TOML plus environment; secrets only from the environment or a 0600 file."""

from __future__ import annotations

import os

import pytest
from artgan.scheduler.config import ConfigError, Secret, load_config

TOKEN = "EAAB-very-secret"


def write(tmp_path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_defaults_without_a_file(tmp_path):
    config = load_config(env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert config.publishers == ["feed"] and config.candidates == 64 and config.instagram.token is None


def test_file_then_environment(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    token_file.chmod(0o600)
    path = write(tmp_path, f"""
publishers = ["feed", "instagram"]
candidates = 16
hashtags = ["#art", "gan"]
caption_template = "{{title}} {{hashtags}}"
[feed]
folder = "{tmp_path / 'site'}"
public_base_url = "https://example.org/art/"
[instagram]
user_id = "1784"
token_file = "{token_file}"
""")
    config = load_config(path, env={"ARTGAN_IG_USER_ID": "999"})
    assert config.publishers == ["feed", "instagram"] and config.candidates == 16
    assert config.hashtags == ["art", "gan"] and config.feed.folder == tmp_path / "site"
    assert config.instagram.user_id == "999"  # the environment wins
    assert config.instagram.token.reveal() == TOKEN
    assert TOKEN not in repr(config) and TOKEN not in str(config.instagram.token)
    assert config.instagram.require(config.feed.public_base_url)[0] == "999"


def test_token_from_the_environment(tmp_path):
    config = load_config(write(tmp_path, ""), env={"ARTGAN_IG_ACCESS_TOKEN": TOKEN, "ARTGAN_PUBLISHERS": "instagram"})
    assert config.instagram.token.reveal() == TOKEN and config.publishers == ["instagram"]


@pytest.mark.parametrize("section", ["", "[instagram]\n"])
def test_a_token_in_the_file_is_refused(tmp_path, section):
    with pytest.raises(ConfigError, match="must not be in the config file") as info:
        load_config(write(tmp_path, f'{section}access_token = "{TOKEN}"\n'), env={})
    assert TOKEN not in str(info.value)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_token_file_others_can_read_is_refused(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN)
    token_file.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600") as info:
        load_config(write(tmp_path, ""), env={"ARTGAN_IG_TOKEN_FILE": str(token_file)})
    assert TOKEN not in str(info.value)


@pytest.mark.parametrize(
    "text, message",
    [
        ("publishers = [\n", "not valid TOML"),
        ("publisher = 'feed'\n", "unknown key"),
        ("publishers = ['facebook']\n", "unknown publisher"),
        ("candidates = 'many'\n", "must be a int"),
        ("candidates = 0\n", "at least 1"),
        ("hashtags = ['two words']\n", "single word"),
        ("caption_template = '{who}'\n", "unknown field"),
        ("[feed]\nurl = 'x'\n", "unknown key"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, text), env={})


def test_instagram_without_its_settings_says_what_is_missing(tmp_path):
    config = load_config(write(tmp_path, "publishers = ['instagram']\n"), env={})
    with pytest.raises(ConfigError, match="ARTGAN_IG_USER_ID.*ARTGAN_IG_ACCESS_TOKEN.*ARTGAN_PUBLIC_BASE_URL"):
        config.instagram.require(config.feed.public_base_url)


def test_missing_explicit_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml", env={})


def test_secret_never_shows_itself():
    secret = Secret(TOKEN)
    assert TOKEN not in repr(secret) and TOKEN not in f"{secret}" and secret.reveal() == TOKEN


def test_mastodon_and_bluesky_from_the_file_and_the_environment(tmp_path):
    password_file = tmp_path / "bsky-password"
    password_file.write_text("abcd-efgh-ijkl-mnop\n")
    password_file.chmod(0o600)
    path = write(tmp_path, f"""
publishers = ["mastodon", "bluesky"]
alt_text_template = "{{painter}}: {{palette}}"

[mastodon]
url = "https://pixelfed.example"
visibility = "unlisted"
sensitive = true
spoiler_text = "AI art"
language = "en"

[bluesky]
handle = "@artgan.bsky.social"
password_file = "{password_file}"
""")
    config = load_config(path, env={"ARTGAN_MASTODON_TOKEN": "masto-tok"})
    assert config.mastodon.require() == ("https://pixelfed.example", config.mastodon.token)
    assert config.mastodon.token.reveal() == "masto-tok" and "masto-tok" not in repr(config)
    assert (config.mastodon.visibility, config.mastodon.sensitive, config.mastodon.spoiler_text) == ("unlisted", True, "AI art")
    handle, password, service = config.bluesky.require()
    assert (handle, password.reveal(), service) == ("artgan.bsky.social", "abcd-efgh-ijkl-mnop", "https://bsky.social")
    assert config.alt_text_template == "{painter}: {palette}"
    env = {"ARTGAN_MASTODON_TOKEN": "t", "ARTGAN_BSKY_APP_PASSWORD": "from-env", "ARTGAN_BSKY_HANDLE": "other.example"}
    overridden = load_config(path, env=env)
    assert (overridden.bluesky.handle, overridden.bluesky.password.reveal()) == ("other.example", "from-env")


@pytest.mark.parametrize("text, message", [
    ('[bluesky]\npassword = "hunter2"\n', "must not be in the config file"),
    ('[bluesky]\napp_password = "hunter2"\n', "must not be in the config file"),
    ('[mastodon]\naccess_token = "x"\n', "must not be in the config file"),
    ('[mastodon]\nvisibility = "everyone"\n', "visibility must be one of public"),
    ('[mastodon]\nsensitive = "yes"\n', "sensitive must be true or false"),
    ('[mastodon]\ninstance = "x"\n', "unknown key"),
])
def test_bad_publisher_settings_are_clear_errors(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message) as info:
        load_config(write(tmp_path, text), env={})
    assert "hunter2" not in str(info.value)


def test_a_readable_password_file_is_refused(tmp_path):
    password_file = tmp_path / "pw"
    password_file.write_text("secret-pw")
    password_file.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_config(write(tmp_path, f'[bluesky]\npassword_file = "{password_file}"\n'), env={})


@pytest.mark.parametrize("publisher, message", [
    ("mastodon", "instance URL.*access token"), ("bluesky", "account handle.*app password"),
])
def test_publishers_without_their_settings_say_what_is_missing(tmp_path, publisher, message):
    config = load_config(write(tmp_path, f'publishers = ["{publisher}"]\n'), env={})
    with pytest.raises(ConfigError, match=message):
        getattr(config, publisher).require()
