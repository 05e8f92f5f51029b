"""Trim the light frame off an exported painter whose run folder is gone (the bundled one).

    python scripts/trim_painter_frame.py models/default.onnx                 # measure only
    python scripts/trim_painter_frame.py models/default.onnx --px 3 [--out NEW.onnx]

Without --px it paints 256 pictures and prints their edge contrast (evaluation.edges: about 0.8
for photos, higher for a painted frame) with 0, 1, 2 ... px trimmed off each side and the rest
resized back, so the trim can be chosen.  With --px it writes the painter with that trim inside
its graph (trainer.export.trim_painter_file; a run is trimmed by `artgan export --trim-frame`),
checked against the original's paintings and renamed into place (--out defaults to the input,
replaced; the critic beside it needs no change).  Needs the training extra.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np


def measure(painter: Path, count: int = 256) -> list[tuple[int, float]]:
    """(px, edge contrast) for each trim up to size/8, from the same ``count`` paintings."""
    from artgan.evaluation.edges import edge_contrast
    from artgan.models.artifact import max_frame_trim
    from artgan.models.runtime import load_model
    from artgan.painter.painting import generate
    from artgan.trainer.export import trimmed_reference

    model = load_model(painter, device="cpu", expect_kind="painter")
    # pixel values as painted: the edge contrast is a ratio of gradients, the same in any units
    images = np.stack([image for _, image in generate(model, 0, range(count), 32, rounded=False)])
    return [(px, edge_contrast(trimmed_reference(images, px))) for px in range(max_frame_trim(model.info.resolution) + 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("painter", type=Path)
    parser.add_argument("--px", type=int, default=None, help="pixels to trim off each side (default: measure only)")
    parser.add_argument("--out", type=Path, default=None, help="where to write the trimmed painter (default: in place)")
    args = parser.parse_args(argv)
    from artgan.models.artifact import ModelError
    from artgan.trainer.export import trim_painter_file
    from artgan.trainer.loop import TrainingError

    try:
        if args.px is None:
            print("trim px  edge contrast (photos ~0.8)")
            for px, score in measure(args.painter):
                print(f"{px:7d}  {score:.2f}")
            return 0
        diff = trim_painter_file(args.painter, args.out or args.painter, args.px)
    except (ModelError, TrainingError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {args.out or args.painter}: {args.px} px trimmed off each side (max difference {diff:.1e})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
