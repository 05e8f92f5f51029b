"""Train lightweight-gan (lucidrains, PyPI `lightweight-gan`, PyTorch) on the CPU for bench_quality.py.

    BENCH_VENV/bin/python benchmarks/lightweight_gan_driver.py --images DIR --size 64 --batch-size 32 \
        --out RUN [--fmap-max 16] [--n 500]

Runs in a benchmark-only venv (torch + lightweight-gan), never with artgan's dependencies, and
imports nothing from artgan.  lightweight-gan asserts CUDA at import and moves every tensor with
``.cuda(rank)``; both are patched to the CPU here, and its every-100-steps sample sheets (a cost
of its CLI, not of its networks) are switched off, so what is timed is its training step.  Its
smallest flags (--fmap-max 16, no attention layers, latent 64) still take about a minute a step
on one core, because its discriminator's full-resolution attention is fixed at 8 heads x 64
channels; --attention narrows that (default 1 x 16) to size it near artgan's step.
Trains until SIGTERM (what bench_quality sends at the deadline), then paints --n images with
its generator in eval mode (its EMA copy only starts averaging after 20000 steps) and writes
RUN/samples.npy (uint8 [n, size, size, 3]) and RUN/metrics.csv (bench_quality's columns).
"""

from __future__ import annotations

import argparse
import csv
import signal
import time
import types
from pathlib import Path

import sys

import numpy as np
import torch

# torchvision's CUDA build cannot load its C++ ops next to a CPU torch; lightweight-gan only needs its
# transforms, so skip the module that registers shapes for those ops
sys.modules["torchvision._meta_registrations"] = types.ModuleType("torchvision._meta_registrations")
torch.cuda.is_available = lambda: True  # lightweight_gan asserts this at import
torch.Tensor.cuda = lambda self, *args, **kwargs: self  # every .cuda(rank) stays on the CPU
torch.nn.Module.cuda = lambda self, *args, **kwargs: self

import lightweight_gan.lightweight_gan as lg  # noqa: E402


class _CpuTorch(types.ModuleType):
    """The module's `torch`, with torch.device('cuda:0') read as the CPU (its loss accumulators use it)."""

    def __getattr__(self, name):
        return getattr(torch, name)

    @staticmethod
    def device(spec, *args):
        return torch.device("cpu") if str(spec).startswith("cuda") else torch.device(spec, *args)


lg.torch = _CpuTorch("torch")
_linear_attention_init = lg.LinearAttention.__init__


def narrow_attention(heads: int, dim_head: int) -> None:
    """Its discriminator always runs linear attention at full resolution with 8 x 64 channels (not a
    flag); narrowing it is the only way to bring a CPU step near artgan's cost."""

    def init(self, dim, dim_head_=64, heads_=8, kernel_size=3):
        _linear_attention_init(self, dim, dim_head=dim_head, heads=heads, kernel_size=kernel_size)

    lg.LinearAttention.__init__ = init


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=Path, required=True, help="folder of prepared square images")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--fmap-max", type=int, default=16, help="its smallest setting that still builds")
    parser.add_argument("--latent-dim", type=int, default=64)
    parser.add_argument("--attention", default="1x16", metavar="HEADSxDIM",
                        help="heads x channels of its discriminator's attention [default: 1x16; its own: 8x64]")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    heads, dim_head = (int(v) for v in args.attention.split("x"))
    narrow_attention(heads, dim_head)
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)  # one core, as every candidate gets
    args.out.mkdir(parents=True, exist_ok=True)

    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    trainer = lg.Trainer(
        name="bench", base_dir=str(args.out), image_size=args.size, batch_size=args.batch_size,
        gradient_accumulate_every=1, fmap_max=args.fmap_max, latent_dim=args.latent_dim, attn_res_layers=[],
        disc_output_size=1, num_workers=0, save_every=10**9, evaluate_every=10**9, use_aim=False,
    )
    trainer.evaluate = lambda *a, **k: None  # its CLI paints a sheet every 100 steps; not part of the step
    trainer.set_data_src(str(args.images))
    started = time.monotonic()
    with open(args.out / "metrics.csv", "w", newline="") as handle:
        log = csv.writer(handle)
        log.writerow(["step", "wall_s", "images_per_s", "aug_p"])
        while not stop["now"]:
            trainer.train()
            wall = time.monotonic() - started
            if trainer.steps % 10 == 0 or stop["now"]:
                log.writerow([trainer.steps, f"{wall:.3f}", f"{trainer.steps * args.batch_size / wall:.2f}",
                              trainer.aug_prob or 0])
                handle.flush()
                print(f"step {trainer.steps} | {wall:.0f} s | D {trainer.d_loss:.3f} G {trainer.g_loss:.3f}", flush=True)

    trainer.GAN.eval()
    g = torch.Generator().manual_seed(args.seed)
    images = []
    with torch.no_grad():
        for first in range(0, args.n, 50):
            z = torch.randn(min(50, args.n - first), args.latent_dim, generator=g)
            images.append(trainer.GAN.G(z).clamp(0.0, 1.0).permute(0, 2, 3, 1).numpy())
    pixels = np.round(np.concatenate(images) * 255).astype(np.uint8)
    np.save(args.out / "samples.npy", pixels)
    print(f"painted {len(pixels)} images", flush=True)


if __name__ == "__main__":
    main()
