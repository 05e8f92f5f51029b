"""Painting throughput: ONNX Runtime (as exported, and tf2onnx's plain graph) vs Keras, and % of peak FLOP/s.

    python benchmarks/bench_paint.py [--sizes 64 128] [--batches 1 16 64] [--seconds 1.5] [--single-thread]

The generator is the one `artgan train` builds by default (--arch fastgan: latent 128, its
default width for the size, up to 256 channels; --arch dcgan: width 32) with random weights:
speed does not depend on the weights.  For each size and batch it times, on the same weights:
  ort        the painter exactly as `artgan export` writes it (upsampling folded into phase convs, RGB conv on
             the last phases, interleaves as two transposes) and as `artgan paint` runs it: ORT_ENABLE_ALL, the batch split into one
             single-threaded slice per core (artgan.models.runtime.LoadedModel.run)
  ort-1call  the same file in one session.run call on all cores (ONNX Runtime's own thread pool)
  ort-d2s    the same graph with its interleaves as DepthToSpace (before depth_to_space_as_transposes), split the same way
  ort-resize the same before folding: native Resize + 3x3 Conv at full resolution, NCHW trunk
  ort-plain  tf2onnx's unmodified graph (UpSampling2D as Tile/Reshape chains, transposes)
  predict    keras Model.predict(z, batch_size=batch) on the trainer's generator (fused UpsampleConv layers)
  call       a direct Keras call, model(z, training=False)
  predict-unfused  Model.predict on the same weights as UpSampling2D + Conv2D layers (the seed's way; dcgan only)
FLOPs per painting are counted from the Keras layers (2 x multiply-adds of
Dense and Conv2D; BN/ReLU/upsampling are negligible): the "nominal" FLOPs any
runtime must match.  The exported graph executes fewer (folding saves 2.25x in
each upsampling conv); both are reported, and predict's share of peak on the executed count
(the trainer's UpsampleConv does the same phase arithmetic in TF).  Peak FLOP/s is estimated from a
float32 1024^3 matmul in ONNX Runtime on one thread, timed in process CPU time
(best of many, so other processes on a shared machine disturb it little), times
the number of cores; numpy's BLAS matmul on all cores is printed beside it.
--single-thread runs every runtime on one thread and times it in process CPU
time: figures per core that other processes on a shared machine disturb much
less than wall time (which is the default, all cores).
Writes benchmarks/results/paint_ARCH.json (paint_ARCH_single_thread.json).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import time
from pathlib import Path

import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
SINGLE = "--single-thread" in sys.argv
if SINGLE:  # TensorFlow reads these once, when it starts
    os.environ["TF_NUM_INTRAOP_THREADS"] = os.environ["TF_NUM_INTEROP_THREADS"] = "1"

from artgan.trainer.tf_setup import import_tensorflow  # noqa: E402

tf = import_tensorflow()

import keras  # noqa: E402
import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
from artgan.models.runtime import load_model  # noqa: E402
from artgan.trainer import export, onnx_graph  # noqa: E402
from artgan.trainer import fastgan  # noqa: E402
from artgan.trainer.config import default_width  # noqa: E402
from artgan.trainer.networks import UpsampleConv, build_discriminator, build_generator  # noqa: E402
from results_file import write_results  # noqa: E402 - benchmarks/ is sys.path[0] when run as a script

LATENT, WIDTH, MAX_CHANNELS = 128, 32, 256


def generator_flops(model: keras.Model) -> int:
    flops = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            flops += 2 * layer.kernel.shape[0] * layer.kernel.shape[1]
        elif isinstance(layer, (keras.layers.Conv2D, UpsampleConv)):  # UpsampleConv: nominally upsample + 3x3 conv
            kh, kw, cin, cout = layer.kernel.shape
            _, h, w, _ = layer.output.shape
            flops += 2 * kh * kw * cin * cout * h * w
    return flops


def timed(run, seconds: float, min_runs: int = 5) -> float:
    """Median seconds per call over at least ``seconds`` of calls (robust to other work on a shared machine)."""
    clock = time.process_time if SINGLE else time.perf_counter
    run()  # warm-up (graph tracing, memory arenas)
    times: list[float] = []
    while sum(times) < seconds or len(times) < min_runs:
        started = clock()
        run()
        times.append(clock() - started)
    return float(np.median(times))


def session(path_or_bytes, one_thread: bool = False) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    if SINGLE or one_thread:
        options.intra_op_num_threads = 1
    return ort.InferenceSession(path_or_bytes, options, providers=["CPUExecutionProvider"])


def peak_flops(seconds: float) -> dict[str, float]:
    from onnx import TensorProto, helper

    n = 1024
    a = np.random.default_rng(0).standard_normal((n, n)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["a", "b"], ["c"])], "mm",
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, [n, n]) for x in "ab"],
        [helper.make_tensor_value_info("c", TensorProto.FLOAT, [n, n])],
    )
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    mm = ort.InferenceSession(proto.SerializeToString(), options, providers=["CPUExecutionProvider"])
    mm.run(None, {"a": a, "b": a})
    cpu_times = []
    while sum(cpu_times) < seconds or len(cpu_times) < 10:
        started = time.process_time()
        mm.run(None, {"a": a, "b": a})
        cpu_times.append(time.process_time() - started)
    flops = 2 * n**3
    per_core = flops / min(cpu_times) / 1e9
    return {
        "ort_one_core_gflops": per_core,
        "peak_gflops": per_core * (os.cpu_count() or 1),
        "numpy_all_cores_wall_gflops": flops / timed(lambda: a @ a, seconds) / 1e9,
    }


def executed_flops(proto) -> int:
    """FLOPs per painting of an ONNX graph: Conv and MatMul, from shapes measured at batch 1."""
    names = [n.output[0] for n in proto.graph.node if n.op_type in ("Conv", "ConvTranspose", "MatMul")]
    shapes = onnx_graph._runtime_shapes(proto, names)
    weights = {i.name: tuple(i.dims) for i in proto.graph.initializer}
    flops = 0
    for node in proto.graph.node:
        if node.op_type == "Conv":
            cout, cin, kh, kw = weights[node.input[1]]
            flops += 2 * cin * kh * kw * int(np.prod(shapes[node.output[0]]))
        elif node.op_type == "MatMul":
            flops += 2 * weights[node.input[1]][0] * int(np.prod(shapes[node.output[0]]))
    return flops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 128])
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 16, 64])
    parser.add_argument("--seconds", type=float, default=1.5, help="time spent per measurement (at least 3 runs)")
    parser.add_argument("--single-thread", action="store_true", help="one thread each, timed in process CPU time")
    parser.add_argument("--arch", choices=["fastgan", "dcgan"], default="fastgan")
    args = parser.parse_args()

    peak = peak_flops(args.seconds)
    peak_gflops = peak["ort_one_core_gflops"] if SINGLE else peak["peak_gflops"]
    cores = 1 if SINGLE else os.cpu_count()
    print(f"peak estimate: ORT matmul {peak['ort_one_core_gflops']:.1f} GFLOP/s per core x {cores} core(s) "
          f"= {peak_gflops:.1f} GFLOP/s (numpy matmul, all cores: {peak['numpy_all_cores_wall_gflops']:.1f})")
    results: dict = {"arch": args.arch, "peak": peak, "peak_gflops": peak_gflops, "cpu_count": os.cpu_count(), "runs": []}
    rng = np.random.default_rng(0)
    for size in args.sizes:
        keras.utils.set_random_seed(0)
        if args.arch == "fastgan":
            width = default_width(size, "fastgan")
            generator = fastgan.build_generator(LATENT, size, width, MAX_CHANNELS)
            critic, unfused = fastgan.build_discriminator(size, width, MAX_CHANNELS)[0], None
        else:
            generator = build_generator(LATENT, size, WIDTH, MAX_CHANNELS)  # fused upsampling, as the trainer builds it
            unfused = build_generator(LATENT, size, WIDTH, MAX_CHANNELS, fused_upsampling=False)  # UpSampling2D + Conv2D
            unfused.set_weights(generator.get_weights())
            critic = build_discriminator(size, WIDTH, MAX_CHANNELS, 0.3)
        flops = generator_flops(generator)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "g.onnx"
            written = export.export_networks(
                generator, critic, out, dict(latent_dim=LATENT, resolution=size)
            )
            painter = load_model(out, device="cpu")
            if SINGLE:
                painter.workers = 1
            one_call = session(str(out))
            executed = executed_flops(onnx.load(str(out)))
        plain_proto = export._convert(generator, ["z"], "image")
        plain = session(plain_proto.SerializeToString())
        converted = export._convert(export.upsampling_as_resize(generator), ["z"], "image")

        # optimise rewrites in place: each variant gets a copy
        resize_proto = onnx_graph.optimise(onnx_graph.copy_model(converted), fold=False)
        resized = session(resize_proto.SerializeToString())
        d2s_proto = onnx_graph.optimise(onnx_graph.copy_model(converted), interleave_by_transposes=False)
        # the painter's batch split over the same number of single-threaded workers, on the other graph
        d2s = dataclasses.replace(painter, session=session(d2s_proto.SerializeToString(), one_thread=painter.workers > 1))
        print(f"\n{size} px: {flops / 1e9:.3f} GFLOP per painting ({executed / 1e9:.3f} executed by the exported graph)")
        print(f"  exported graph {written.painter_ops}")
        print(f"  before folding {onnx_graph.op_counts(resize_proto)}")
        print(f"  plain tf2onnx  {onnx_graph.op_counts(plain_proto)}")
        for batch in args.batches:
            z = rng.standard_normal((batch, LATENT)).astype(np.float32)
            z_tensor = tf.constant(z)
            runners = {
                "ort": lambda: painter.run(["image"], {"z": z}),
                "ort-1call": lambda: one_call.run(["image"], {"z": z}),
                "ort-d2s": lambda: d2s.run(["image"], {"z": z}),
                "ort-resize": lambda: resized.run(["image"], {"z": z}),
                "ort-plain": lambda: plain.run(["image"], {"z": z}),
                "predict": lambda: generator.predict(z, batch_size=batch, verbose=0),
                "call": lambda: generator(z_tensor, training=False).numpy(),
            }
            if unfused is not None:
                runners["predict-unfused"] = lambda: unfused.predict(z, batch_size=batch, verbose=0)
            row = {"size": size, "batch": batch, "gflop_per_image": flops / 1e9, "executed_gflop_per_image": executed / 1e9}
            for name, run in runners.items():
                per_s = batch / timed(run, args.seconds)
                row[f"{name}_images_per_s"] = per_s
            row["ort_vs_predict"] = row["ort_images_per_s"] / row["predict_images_per_s"]
            row["ort_vs_plain"] = row["ort_images_per_s"] / row["ort-plain_images_per_s"]
            row["ort_vs_d2s"] = row["ort_images_per_s"] / row["ort-d2s_images_per_s"]
            row["ort_peak_fraction"] = row["ort_images_per_s"] * flops / 1e9 / peak_gflops  # nominal FLOPs
            row["ort_executed_peak_fraction"] = row["ort_images_per_s"] * executed / 1e9 / peak_gflops
            # The trainer's UpsampleConv is the same phase arithmetic in TF (its 2x2 conv covers one extra
            # row and column, so this slightly undercounts what predict executes)
            row["predict_executed_peak_fraction"] = row["predict_images_per_s"] * executed / 1e9 / peak_gflops
            results["runs"].append(row)
            print(
                f"  batch {batch:3d}: ort {row['ort_images_per_s']:7.1f}/s  ort-1call {row['ort-1call_images_per_s']:7.1f}/s  "
                f"ort-d2s {row['ort-d2s_images_per_s']:7.1f}/s  ort-resize {row['ort-resize_images_per_s']:7.1f}/s  "
                f"ort-plain {row['ort-plain_images_per_s']:7.1f}/s  predict {row['predict_images_per_s']:7.1f}/s  "
                f"call {row['call_images_per_s']:7.1f}/s  predict-unfused {row.get('predict-unfused_images_per_s', 0):7.1f}/s | ort/predict {row['ort_vs_predict']:4.1f}x  "
                f"ort/plain {row['ort_vs_plain']:4.2f}x  ort/d2s {row['ort_vs_d2s']:4.2f}x | {100 * row['ort_peak_fraction']:4.1f}% of peak nominal, "
                f"{100 * row['ort_executed_peak_fraction']:4.1f}% executed (predict {100 * row['predict_executed_peak_fraction']:4.1f}%)"
            )
    results["single_thread"] = SINGLE
    target = write_results(f"paint_{args.arch}" + ("_single_thread" if SINGLE else ""), results)
    print(f"\nwritten {target}")


if __name__ == "__main__":
    main()
