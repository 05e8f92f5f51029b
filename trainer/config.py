"""Every hyper-parameter of a training run, saved as the run's config.json."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path


@dataclass
class TrainConfig:
    data_dir: str
    size: int = 64
    steps: int = 10_000
    batch_size: int = 32
    latent_dim: int = 128
    width: int = 32  # channels at full resolution; doubles per halving, capped at max_channels
    max_channels: int = 256
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    beta_1: float = 0.5
    ema_decay: float = 0.999
    label_smoothing: float = 0.9  # one-sided: real targets are 0.9, fake stay 0
    dropout: float = 0.3
    flip: bool = True
    seed: int = 0
    sample_every: int = 500
    checkpoint_every: int = 500
    keep_checkpoints: int = 3
    eval_every: int = 1000  # SWD + MS-SSIM diversity on a fixed sample; 0 = never (see trainer/quality.py)
    eval_samples: int = 512  # generated images per evaluation (and as many real ones, twice for the floor)
    dataset_name: str = ""
    dataset_size: int = 0
    data_fingerprint: str = ""

    def __post_init__(self) -> None:
        if self.size < 8 or self.size & (self.size - 1):
            raise ValueError(f"--size must be a power of two of at least 8 (16, 32, 64, 128, ...), not {self.size}")
        for name in ("steps", "batch_size", "latent_dim", "width", "sample_every", "checkpoint_every", "keep_checkpoints"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name.replace('_', '-')} must be at least 1, not {getattr(self, name)}")
        if self.eval_every < 0 or self.eval_samples < 2:
            raise ValueError(f"eval-every must be 0 (off) or more and eval-samples at least 2, "
                             f"not {self.eval_every} and {self.eval_samples}")

    def save(self, path: Path) -> None:
        from artgan.models.atomic import write_text_atomic

        write_text_atomic(path, json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")

    @classmethod
    def load(cls, path: Path) -> "TrainConfig":
        raw = json.loads(Path(path).read_text())
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})

    def to_dict(self) -> dict:
        return asdict(self)
