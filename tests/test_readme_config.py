"""The README's config examples are a config artgan accepts, one block per publisher."""

from __future__ import annotations

import re
from pathlib import Path

from artgan.scheduler.config import PUBLISHERS, load_config

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_config_examples_load(tmp_path):
    blocks = re.findall(r"```toml\n(.*?)```", README.read_text(), re.S)
    text = "\n".join(blocks)
    for section in PUBLISHERS:  # one example per publisher
        assert f"[{section}]" in text, section
    for name in re.findall(r'"~/\.config/artgan/([\w-]+)"', text):  # the secret files, here and private
        secret = tmp_path / name
        secret.write_text("s3cret\n")
        secret.chmod(0o600)
    config_path = tmp_path / "config.toml"
    config_path.write_text(text.replace('"~/.config/artgan/', f'"{tmp_path}/'))
    config = load_config(config_path, env={})
    assert config.publishers == list(PUBLISHERS)
    assert config.mastodon.token.reveal() == config.bluesky.password.reveal() == "s3cret"
    assert "{palette}" in config.alt_text_template
