"""Opening artgan ONNX files with ONNX Runtime, on CUDA when it can really load."""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import io
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from .artifact import ModelError, ModelInfo, TensorSpec, check_signature, parse_metadata

Device = Literal["auto", "cpu", "cuda"]

# onnxruntime-gpu lists CUDAExecutionProvider even on machines without a GPU and
# then prints a wall of red errors when the CUDA libraries fail to load.  So we
# probe the driver and the libraries its CUDA build needs first, and ask for
# CUDA only when all of them load.
@lru_cache(maxsize=1)
def cuda_unavailable_reason() -> str | None:
    """None when ONNX Runtime can run on CUDA here, else a sentence saying why not."""
    import onnxruntime as ort

    if "CUDAExecutionProvider" not in ort.get_available_providers():
        return "this onnxruntime build has no CUDA support (install onnxruntime-gpu)"
    if os.name != "posix":
        return None  # Windows finds the DLLs itself; trust the provider list.
    try:
        ctypes.CDLL("libcuda.so.1")
    except OSError:
        return "no NVIDIA driver was found"
    preload = getattr(ort, "preload_dlls", None)
    if preload is not None:  # loads CUDA/cuDNN from pip's nvidia-* wheels when present
        with contextlib.redirect_stdout(io.StringIO()):  # it prints its own failures
            try:
                preload(directory="")
            except Exception:  # noqa: BLE001 - absent wheels are fine; the probe below decides
                pass
    for name in _cuda_libraries():
        try:
            ctypes.CDLL(name)
        except OSError:
            return f"{name} could not be loaded (see https://onnxruntime.ai/docs/install/#cuda-and-cudnn)"
    return None


def _cuda_libraries() -> list[str]:
    try:
        from onnxruntime.capi.build_and_package_info import cuda_version
        major = str(cuda_version).split(".")[0] or "12"
    except ImportError:
        major = "12"
    return [f"libcudart.so.{major}", f"libcublasLt.so.{major}", f"libcublas.so.{major}", "libcudnn.so.9"]


def providers_for(device: Device) -> list[str]:
    """The execution providers to ask ONNX Runtime for, best first."""
    if device == "cpu":
        return ["CPUExecutionProvider"]
    reason = cuda_unavailable_reason()
    if reason is None:
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    if device == "cuda":
        raise ModelError(f"--device cuda was asked for, but CUDA cannot be used: {reason}. Use --device cpu or auto.")
    return ["CPUExecutionProvider"]


def cpu_cores() -> int:
    """Cores this process may run on (its affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


@lru_cache(maxsize=1)
def _batch_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=cpu_cores(), thread_name_prefix="artgan-batch")


@dataclass
class LoadedModel:
    """An open ONNX Runtime session with the metadata it was checked against.

    On the CPU a batch is split into one slice per core, each run by a single-threaded call
    of the same session at the same time (ONNX Runtime sessions may be called concurrently).
    For these small convolutional networks that is 1.05-1.15x faster at batch 16-64 than one
    call spread over all cores by ONNX Runtime's own thread pool (benchmarks/bench_paint.py,
    "ort" vs "ort-1call"); a batch of one runs on one thread, a few ms slower.  ``workers`` is 1
    on CUDA, where batches stay whole.
    """

    path: Path
    info: ModelInfo
    session: "object"  # onnxruntime.InferenceSession; typed loosely to keep import lazy
    sha256: str
    workers: int = 1

    def run(self, outputs: list[str], feeds: dict) -> list:
        """``session.run`` on a batch (axis 0 of every feed), split across cores on the CPU."""
        batch = len(next(iter(feeds.values())))
        parts = min(self.workers, batch)
        if parts <= 1:
            return self.session.run(outputs, feeds)  # type: ignore[attr-defined]
        import numpy as np

        bounds = np.linspace(0, batch, parts + 1).astype(int)
        slices = [{name: value[lo:hi] for name, value in feeds.items()} for lo, hi in zip(bounds, bounds[1:])]
        results = list(_batch_pool().map(lambda part: self.session.run(outputs, part), slices))  # type: ignore[attr-defined]
        return [np.concatenate([result[k] for result in results]) for k in range(len(outputs))]

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def provider(self) -> str:
        return self.session.get_providers()[0]  # type: ignore[attr-defined]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def open_session(path: Path, device: Device = "auto", single_threaded: bool = False) -> "object":
    """An ONNX Runtime session for ``path`` with full graph optimisation; ModelError for unreadable files.

    ``single_threaded`` gives each call one CPU thread, for callers that split batches over cores.
    """
    import onnxruntime as ort

    if not path.is_file():
        raise ModelError(f"model file not found: {path}")
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # warnings about unused initialisers etc. are noise to a painter
    if single_threaded:
        options.intra_op_num_threads = 1
    try:
        return ort.InferenceSession(str(path), sess_options=options, providers=providers_for(device))
    except ModelError:
        raise
    except Exception as exc:  # onnxruntime raises several unrelated types for bad files
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"{path} is not a readable ONNX model ({first_line[:200]}).") from None


def load_model(path: str | os.PathLike[str], device: Device = "auto", expect_kind: str | None = None) -> LoadedModel:
    """Open an artgan ONNX file, refusing anything that is not one."""
    path = Path(path)
    providers = providers_for(device)
    split = providers == ["CPUExecutionProvider"] and cpu_cores() > 1
    session = open_session(path, device, single_threaded=split)
    info = parse_metadata(session.get_modelmeta().custom_metadata_map, source=str(path))
    if expect_kind and info.kind != expect_kind:
        raise ModelError(f"{path} is a {info.kind}, but a {expect_kind} is needed here.")
    check_signature(info, _specs(session.get_inputs()), _specs(session.get_outputs()), str(path))
    return LoadedModel(path=path, info=info, session=session, sha256=file_sha256(path), workers=cpu_cores() if split else 1)


def _specs(nodes: list) -> list[TensorSpec]:
    return [
        TensorSpec(node.name, node.type, tuple(d if isinstance(d, int) else None for d in node.shape)) for node in nodes
    ]
