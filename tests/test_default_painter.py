"""The painter shipped in models/: what it is, that its card tells the truth, and that paint uses all of it."""

import hashlib
import re
from pathlib import Path

import numpy as np
from artgan.painter.provenance import read_provenance
from artgan.models import load_model, resolve_painter
from artgan.models.store import critic_path_for, thumbnail_index_path
from PIL import Image

MODELS = Path(resolve_painter(None)).parent
UPSCALER = MODELS / "default.upscaler.onnx"


def test_it_is_a_real_painter_of_public_domain_landscapes():
    info = load_model(resolve_painter(None), device="cpu").info
    assert not info.placeholder
    assert info.dataset_name == "endless-sky-land" and info.dataset_size >= 100
    assert "public domain" in info.credits and "public domain" in info.license
    assert info.training_config["crop"] == "random" and info.training_config["ema_decay"] > 0


def test_it_ships_with_critic_thumbnails_and_upscaler_and_stays_small():
    painter = Path(resolve_painter(None))
    companions = [critic_path_for(painter), thumbnail_index_path(painter), UPSCALER]
    assert all(path is not None and path.is_file() for path in companions)
    with np.load(thumbnail_index_path(painter)) as index:
        assert len(index[index.files[0]]) == load_model(painter, device="cpu").info.dataset_size
    assert sum(p.stat().st_size for p in [painter, *companions]) < 8_000_000  # it lives in git and in every wheel


def test_model_card_lists_the_files_that_ship():
    card = (MODELS / "README.md").read_text()
    rows = dict(re.findall(r"^\| `(default[^`]*)` \| [^|]+ \| `([0-9a-f]{16})` \|$", card, flags=re.M))
    shipped = sorted(p.name for p in MODELS.glob("default*") if p.suffix in (".onnx", ".npz"))
    assert sorted(rows) == shipped
    for name, prefix in rows.items():
        assert hashlib.sha256((MODELS / name).read_bytes()).hexdigest().startswith(prefix), name


def test_paint_upscales_with_the_painters_own_upscaler_when_its_report_chose_it(cli, tmp_path):
    import json

    result = cli("paint", "--n", "2", "--seed", "5", "--out", tmp_path)
    assert result.exit_code == 0, result.stderr
    paths = [Path(line) for line in result.stdout.splitlines() if line.strip()]
    resolution = load_model(resolve_painter(None), device="cpu").info.resolution
    assert [Image.open(p).size for p in paths] == [(4 * resolution, 4 * resolution)] * 2
    provenance = read_provenance(paths[0])
    assert provenance.upscale == 4 and provenance.resample == "bicubic"
    chosen = json.loads(UPSCALER.with_suffix(".json").read_text())["default"]
    expected = hashlib.sha256(UPSCALER.read_bytes()).hexdigest() if chosen == "learned" else None
    assert provenance.upscaler_sha256 == expected
