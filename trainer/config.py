"""Every hyper-parameter of a training run, saved as the run's config.json."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path


MIN_SIZE, MAX_SIZE = 16, 1024
AUGMENT_AUTO_BELOW = 5000  # DiffAugment pays off most on small sets; large ones train without it
ARCHES = ("fastgan", "dcgan")
CHOICES = {
    "arch": ARCHES,
    "crop": ("centre", "random"),
    "classes": ("none", "auto"),
    "loss": ("nonsat", "hinge"),
    "regularizer": ("r1", "spectral", "none"),
    "augment": ("auto", "on", "off"),
    "precision": ("float32", "mixed"),
    "on_nan": ("rollback", "stop"),
    "mode_seeking_gap": ("pixels", "structure"),
}


FASTGAN_MODE_SEEKING = 0.3  # 64 px race: MS-SSIM 0.285 -> 0.202 (photos 0.163), distance 32.5 -> 29.6 (README)


FASTGAN_AUGMENT_P = 0.5  # a fixed p: ADA's adaptive rule never rises within CPU-sized runs (README, "Augmentation")


def default_augment_p(arch: str) -> float | None:
    """`artgan train`'s --augment-p when none is given: fastgan's fixed probability, dcgan's adaptive rule (None)."""
    return FASTGAN_AUGMENT_P if arch == "fastgan" else None


def default_mode_seeking(arch: str, freeze_grown: bool) -> float:
    """`artgan train`'s --mode-seeking when none is given: fastgan's weight, except where only a grown run's
    new top block trains (its layout is the frozen source's; pushing the detail of two paintings apart only adds noise)."""
    return FASTGAN_MODE_SEEKING if arch == "fastgan" and not freeze_grown else 0.0


def default_width(size: int, arch: str = "dcgan") -> int:
    """Channels at full resolution that keep a CPU step practical.

    dcgan: 32 up to 64 px, fewer above.  fastgan: 16 up to 128 px, fewer above (its GLU
    blocks compute twice the channels they output).
    """
    if arch == "fastgan":
        return max(4, min(16, 2048 // size))
    return max(8, min(32, 2048 // size))


@dataclass
class TrainConfig:
    data_dir: str
    arch: str = "fastgan"  # fastgan (SLE generator, reconstructing D) | dcgan (the original networks)
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
    # data preparation (see trainer.data.PrepareSettings)
    crop: str = "centre"  # centre | random (window of non-square images)
    dedupe: bool = False  # drop near-duplicate images
    classes: str = "none"  # none | auto (top-level subfolders are classes)
    class_names: list[str] = field(default_factory=list)
    # stability
    loss: str = "nonsat"  # nonsat (non-saturating BCE) | hinge
    regularizer: str = "r1"  # r1 (gradient penalty on reals) | spectral (spectral norm in D) | none
    r1_gamma: float = 0.1
    r1_every: int = 4  # lazy R1: the penalty (x r1_every) on every 4th step costs a quarter as much
    # fastgan: the up blocks at this resolution and above blur after their conv, which makes them bilinear
    # upsampling (no block textures); 8 = every block, 0 = none (runs from before it existed)
    blur_from: int = 8
    noise_from: int = 0  # fastgan: the up blocks at this resolution and above inject noise (fine random texture); 0 = none
    second_conv: bool = False  # fastgan: a second conv + BN + GLU in the 8/32/128/512 px blocks (FastGAN's UpBlockComp)
    global_critic: bool = False  # fastgan: D adds a whole-map logit to its patch logits (judges the layout)
    recon_weight: float = 1.0  # fastgan: weight of D's L1 reconstruction loss on reals (0 = off)
    mode_seeking: float = 0.0  # weight of the mode-seeking (MSGAN) diversity term in G's loss (0 = off)
    mode_seeking_gap: str = "pixels"  # pixels | structure: each painting's mean colour taken out first
    grow_from: str = ""  # a trained fastgan run at half this size whose layers start this one (trainer.grow)
    fade_steps: int = 0  # steps over which a grown run fades its new top block in
    freeze_grown: bool = False  # a grown run trains only its new top block; the reused generator layers stay as trained
    skip_rgb: bool = False  # a grown run keeps its source's RGB head, upsampled, and paints detail on top (no fade)
    skip_detail: str = "bandpass"  # --skip-rgb's detail: bandpass | highpass | full (fastgan._skip_image)
    augment: str = "auto"  # auto (on below AUGMENT_AUTO_BELOW images) | on | off: DiffAugment
    augment_p: float | None = None  # fixed probability of each augmentation; None = adaptive
    augment_target: float = 0.6  # adaptive: raise p while E[sign(D(real))] is above this
    # speed and devices
    xla: bool = False
    precision: str = "float32"  # float32 | mixed (float16 compute with loss scaling)
    devices: int = 1
    deterministic: bool = False  # TensorFlow's deterministic kernels: the same seed gives the same run, bit for bit
    # faults
    on_nan: str = "rollback"  # rollback (to the last checkpoint, halving learning rates) | stop
    max_rollbacks: int = 3
    collapse_threshold: float = 0.05  # sample diversity / real diversity below this = collapsed

    def __post_init__(self) -> None:
        if not MIN_SIZE <= self.size <= MAX_SIZE or self.size & (self.size - 1):
            raise ValueError(f"--size must be a power of two from {MIN_SIZE} to {MAX_SIZE} (16, 32, 64, ...), not {self.size}")
        for name, allowed in CHOICES.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"--{name.replace('_', '-')} must be one of {', '.join(allowed)}, not {getattr(self, name)!r}")
        if self.augment_p is not None and not 0.0 <= self.augment_p <= 1.0:
            raise ValueError(f"--augment-p must be 'adaptive' or a probability from 0 to 1, not {self.augment_p}")
        if self.devices < 1:
            raise ValueError(f"--devices must be at least 1, not {self.devices}")
        for name in ("steps", "batch_size", "latent_dim", "width", "sample_every", "checkpoint_every", "keep_checkpoints", "r1_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name.replace('_', '-')} must be at least 1, not {getattr(self, name)}")
        if self.freeze_grown and not self.grow_from:
            raise ValueError("--freeze-grown needs --grow-from: it keeps the layers a grown run reuses as they were trained")
        if self.skip_rgb and not self.grow_from:
            raise ValueError("--skip-rgb needs --grow-from: it keeps the grown-from run's RGB head under the new detail")
        if self.skip_detail not in ("bandpass", "highpass", "full"):
            raise ValueError(f"--skip-detail must be bandpass, highpass or full, not {self.skip_detail!r}")
        if self.skip_rgb and self.fade_steps:
            raise ValueError("--skip-rgb replaces the fade (the new detail starts at zero): drop --fade-steps")
        if self.grow_from and self.arch != "fastgan":
            raise ValueError("--grow-from needs --arch fastgan (its layers are named by resolution, so they can be reused)")
        if self.arch == "fastgan" and self.regularizer == "spectral":
            raise ValueError("--regularizer spectral is for --arch dcgan; fastgan's discriminator uses r1 or none")
        if self.blur_from and (self.blur_from < 8 or self.blur_from & (self.blur_from - 1)):
            raise ValueError(f"blur-from must be 0 (no blur) or a power of two from 8, not {self.blur_from}")
        if self.arch == "fastgan" and self.blur_from > self.size:
            raise ValueError(f"--blur-from {self.blur_from} is above --size {self.size}: no block would blur "
                             f"(use --no-blur for that)")
        if self.noise_from and (self.noise_from < 8 or self.noise_from & (self.noise_from - 1)):
            raise ValueError(f"--noise-from must be 0 (no noise) or a power of two from 8, not {self.noise_from}")
        if self.noise_from and self.arch != "fastgan":
            raise ValueError("--noise-from is for --arch fastgan: the dcgan generator has no noise injection")
        if self.noise_from > self.size:
            raise ValueError(f"--noise-from {self.noise_from} is above --size {self.size}: no block would inject noise")
        if self.global_critic and self.arch != "fastgan":
            raise ValueError("--global-critic is for --arch fastgan: the dcgan discriminator already ends in a dense layer")
        if self.mode_seeking < 0:
            raise ValueError(f"--mode-seeking must be 0 (off) or more, not {self.mode_seeking}")
        if self.fade_steps < 0:
            raise ValueError(f"--fade-steps must be 0 or more, not {self.fade_steps}")
        if self.eval_every < 0 or self.eval_samples < 2:
            raise ValueError(f"eval-every must be 0 (off) or more and eval-samples at least 2, "
                             f"not {self.eval_every} and {self.eval_samples}")

    def save(self, path: Path) -> None:
        from artgan.models.atomic import write_text_atomic

        write_text_atomic(path, json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")

    @classmethod
    def load(cls, path: Path) -> "TrainConfig":
        return cls.from_dict(json.loads(Path(path).read_text()))

    @classmethod
    def from_dict(cls, raw: dict) -> "TrainConfig":
        """A config from its saved fields (config.json, or an exported painter's training_config)."""
        raw = dict(raw)
        raw.setdefault("arch", "dcgan")  # runs from before --arch existed are DCGAN runs
        raw.setdefault("blur_from", 0)  # and runs from before --blur upsampled without it
        raw.setdefault("skip_detail", "full")  # and --skip-rgb runs from before the high-pass added full detail
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})

    @property
    def conditional(self) -> bool:
        return bool(self.class_names)

    def augment_enabled(self) -> bool:
        return self.augment == "on" or (self.augment == "auto" and self.dataset_size < AUGMENT_AUTO_BELOW)

    def to_dict(self) -> dict:
        return asdict(self)
