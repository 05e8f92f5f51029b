"""What `onnx_graph.glu_onto_phases` buys: the fastgan painter with and without the GLU moved onto the phases.

    python benchmarks/bench_glu_rewrite.py [--sizes 64 128] [--batch 16] [--rounds 8]

Exports the same random-weight fastgan generator (latent 128, the default width) twice, once
with every graph rewrite and once with all but the GLU one, checks that both paint the same
numbers, and times one-thread ONNX Runtime sessions alternately in process CPU time (best of
--rounds), so load on the other core disturbs it little.  The share of peak uses the FLOPs the
exported graph executes and the one-thread float32 matmul peak bench_paint.py measures.
Writes benchmarks/results/glu_rewrite.json.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from results_file import write_results  # noqa: E402 - benchmarks/ is sys.path[0] when run as a script


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 128])
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()

    import numpy as np

    import onnx
    from bench_paint import executed_flops, peak_flops, session
    from artgan.trainer import fastgan, onnx_graph
    from artgan.trainer.config import default_width
    from artgan.trainer.export import export_networks

    peak = peak_flops(1.0)["ort_one_core_gflops"]
    rewrite, results = onnx_graph.glu_onto_phases, {"peak_gflops_one_thread": peak, "batch": args.batch, "sizes": {}}
    for size in args.sizes:
        width = default_width(size, "fastgan")
        generator = fastgan.build_generator(128, size, width, 256)
        critic, _ = fastgan.build_discriminator(size, width, 256)
        folder = Path(tempfile.mkdtemp())
        sessions = {}
        for name, glu in (("with", rewrite), ("without", lambda proto: 0)):
            onnx_graph.glu_onto_phases = glu
            export_networks(generator, critic, folder / f"{name}.onnx", dict(latent_dim=128, resolution=size))
            sessions[name] = session(str(folder / f"{name}.onnx"), one_thread=True)
        onnx_graph.glu_onto_phases = rewrite
        z = np.random.default_rng(0).standard_normal((args.batch, 128)).astype(np.float32)
        outputs = {name: s.run(None, {"z": z})[0] for name, s in sessions.items()}
        assert np.array_equal(outputs["with"], outputs["without"]), "the rewrite changed the painting"
        best = dict.fromkeys(sessions, float("inf"))
        for _ in range(args.rounds):
            for name, painter in sessions.items():
                started = time.process_time()
                painter.run(None, {"z": z})
                best[name] = min(best[name], time.process_time() - started)
        gflops = executed_flops(onnx.load(str(folder / "with.onnx"))) / 1e9
        row = {name: {"img_s": args.batch / t, "share_of_peak": gflops * args.batch / t / peak} for name, t in best.items()}
        row["executed_gflop_per_painting"] = gflops
        results["sizes"][size] = row
        print(f"{size} px, batch {args.batch}, one thread: with the GLU rewrite {row['with']['img_s']:.1f} img/s "
              f"({100 * row['with']['share_of_peak']:.0f} % of peak), without {row['without']['img_s']:.1f} img/s "
              f"({100 * row['without']['share_of_peak']:.0f} %); same paintings bit for bit")
    print(f"written {write_results('glu_rewrite', results)}")


if __name__ == "__main__":
    main()
