"""The artgan model artifact: an ONNX file that describes itself.

Every network artgan ships (painter, critic) is one ONNX file whose
``metadata_props`` carry the keys below.  This module is the single place that
knows the format: the trainer's exporter builds metadata with
:func:`build_metadata`, and everything that loads a file checks it with
:func:`parse_metadata` and :func:`check_signature`.  Only the standard library
is used here so that painting and posting never need TensorFlow or onnx.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Mapping

FORMAT_VERSION = 1
PREFIX = "artgan."
KINDS = ("painter", "critic")
PRECISIONS = ("float32", "float16")


def max_frame_trim(resolution: int) -> int:
    """The most px a painter may trim off each side (`export --trim-frame`): a quarter of the picture in all."""
    return resolution // 8


class ModelError(Exception):
    """A model file that cannot be used, with a message meant for the user."""


@dataclass(frozen=True)
class ModelInfo:
    """What an artgan ONNX file says about itself."""

    kind: str
    format_version: int
    latent_dim: int
    resolution: int
    class_names: tuple[str, ...] = ()
    steps: int = 0
    dataset_name: str = ""
    dataset_size: int = 0
    created: str = ""
    training_config: dict[str, Any] = field(default_factory=dict)
    credits: str = ""
    license: str = ""
    placeholder: bool = False
    description: str = ""
    precision: str = "float32"  # arithmetic inside the graph; inputs and outputs are float32 either way
    weights: str = "float32"  # how the weights are stored: float16 halves the file (`export --compact`)
    frame_trim: int = 0  # px cut off each side inside the graph and resized back (`export --trim-frame`)
    noise_scale: float = 1.0  # the trained noise strengths were multiplied by this at export (`--noise-scale`)

    @property
    def conditional(self) -> bool:
        return bool(self.class_names)


def build_metadata(
    *,
    kind: str,
    latent_dim: int,
    resolution: int,
    class_names: list[str] | tuple[str, ...] = (),
    steps: int = 0,
    dataset_name: str = "",
    dataset_size: int = 0,
    created: str = "",
    training_config: Mapping[str, Any] | None = None,
    credits: str = "",
    license: str = "",
    placeholder: bool = False,
    description: str = "",
    precision: str = "float32",
    weights: str = "float32",
    frame_trim: int = 0,
    noise_scale: float = 1.0,
) -> dict[str, str]:
    """Metadata for an ONNX file, as the flat string map ONNX stores."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, not {precision!r}")
    if weights not in PRECISIONS:
        raise ValueError(f"weights must be one of {PRECISIONS}, not {weights!r}")
    values: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "kind": kind,
        "latent_dim": int(latent_dim),
        "resolution": int(resolution),
        "class_names": json.dumps(list(class_names)),
        "steps": int(steps),
        "dataset_name": dataset_name,
        "dataset_size": int(dataset_size),
        "created": created,
        "training_config": json.dumps(dict(training_config or {}), sort_keys=True),
        "credits": credits,
        "license": license,
        "placeholder": "true" if placeholder else "false",
        "description": description,
        "precision": precision,
        "weights": weights,
        "frame_trim": int(frame_trim),
        "noise_scale": repr(float(noise_scale)),
    }
    return {PREFIX + key: str(value) for key, value in values.items()}


def parse_metadata(props: Mapping[str, str], source: str = "model") -> ModelInfo:
    """Read and check artgan metadata; raise ModelError saying what is wrong."""
    if not any(key.startswith(PREFIX) for key in props):
        raise ModelError(
            f"{source} is an ONNX file but not an artgan model: it has no artgan "
            "metadata. Export one with `artgan export RUN_DIR`."
        )

    def need(key: str) -> str:
        value = props.get(PREFIX + key)
        if value is None or value == "":
            raise ModelError(f"{source}: artgan metadata is missing '{key}'.")
        return value

    def as_int(key: str, default: int | None = None) -> int:
        raw = props.get(PREFIX + key)
        if raw is None and default is not None:
            return default
        raw = need(key)
        try:
            return int(raw)
        except ValueError:
            raise ModelError(f"{source}: metadata '{key}' should be a whole number, not {raw!r}.") from None

    def as_float(key: str, default: float) -> float:
        raw = props.get(PREFIX + key)
        if not raw:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise ModelError(f"{source}: metadata '{key}' should be a number, not {raw!r}.") from None
        if not math.isfinite(value) or value < 0:
            raise ModelError(f"{source}: metadata '{key}' should be a number >= 0, not {raw!r}.")
        return value

    def as_json(key: str, default: Any) -> Any:
        raw = props.get(PREFIX + key)
        if not raw:
            return default
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            raise ModelError(f"{source}: metadata '{key}' is not valid JSON.") from None

    version = as_int("format_version")
    if version > FORMAT_VERSION:
        raise ModelError(
            f"{source} uses artgan model format {version}, newer than this artgan "
            f"understands ({FORMAT_VERSION}). Upgrade artgan: pip install -U artgan."
        )
    kind = need("kind")
    if kind not in KINDS:
        raise ModelError(f"{source}: unknown model kind {kind!r} (expected one of {', '.join(KINDS)}).")
    class_names = as_json("class_names", [])
    if not isinstance(class_names, list) or not all(isinstance(c, str) for c in class_names):
        raise ModelError(f"{source}: metadata 'class_names' must be a list of names.")
    info = ModelInfo(
        kind=kind,
        format_version=version,
        latent_dim=as_int("latent_dim", 0 if kind == "critic" else None),
        resolution=as_int("resolution"),
        class_names=tuple(class_names),
        steps=as_int("steps", 0),
        dataset_name=props.get(PREFIX + "dataset_name", ""),
        dataset_size=as_int("dataset_size", 0),
        created=props.get(PREFIX + "created", ""),
        training_config=as_json("training_config", {}),
        credits=props.get(PREFIX + "credits", ""),
        license=props.get(PREFIX + "license", ""),
        placeholder=props.get(PREFIX + "placeholder", "false") == "true",
        description=props.get(PREFIX + "description", ""),
        precision=props.get(PREFIX + "precision", "float32"),
        weights=props.get(PREFIX + "weights", "float32"),
        frame_trim=as_int("frame_trim", 0),
        noise_scale=as_float("noise_scale", 1.0),
    )
    if info.resolution < 4:
        raise ModelError(f"{source}: resolution {info.resolution} in its metadata is not a usable image size.")
    if not 0 <= info.frame_trim <= max_frame_trim(info.resolution):
        raise ModelError(f"{source}: frame_trim {info.frame_trim} in its metadata is not usable at {info.resolution} px.")
    if info.precision not in PRECISIONS:
        raise ModelError(f"{source}: unknown precision {info.precision!r} in its metadata.")
    if kind == "painter" and info.latent_dim < 1:
        raise ModelError(f"{source}: latent size {info.latent_dim} in its metadata is not usable.")
    return info


@dataclass(frozen=True)
class TensorSpec:
    """Name, element type and shape (None for a dynamic axis) of a graph input/output."""

    name: str
    type: str
    shape: tuple[int | None, ...]


def check_signature(info: ModelInfo, inputs: list[TensorSpec], outputs: list[TensorSpec], source: str) -> None:
    """Refuse a file whose graph disagrees with its metadata."""
    by_name = {spec.name: spec for spec in inputs}
    out_by_name = {spec.name: spec for spec in outputs}
    res = info.resolution

    def expect(spec: TensorSpec | None, name: str, type_: str, shape: tuple[int | None, ...], what: str) -> None:
        if spec is None:
            raise ModelError(f"{source}: the {info.kind} has no {what} named '{name}'.")
        if spec.type != type_:
            raise ModelError(f"{source}: {what} '{name}' is {spec.type}, expected {type_}.")
        if len(spec.shape) != len(shape) or any(
            want is not None and got is not None and got != want for got, want in zip(spec.shape, shape)
        ):
            raise ModelError(
                f"{source}: {what} '{name}' has shape {_fmt(spec.shape)} but its metadata "
                f"says {_fmt(shape)}."
            )

    if info.kind == "painter":
        expect(by_name.get("z"), "z", "tensor(float)", (None, info.latent_dim), "input")
        if info.conditional:
            expect(by_name.get("label"), "label", "tensor(int64)", (None,), "input")
        elif "label" in by_name:
            raise ModelError(f"{source}: the painter takes a 'label' input but its metadata lists no class names.")
        expect(out_by_name.get("image"), "image", "tensor(float)", (None, res, res, 3), "output")
    else:
        expect(by_name.get("image"), "image", "tensor(float)", (None, res, res, 3), "input")
        if info.conditional and "label" in by_name:  # a conditional critic may judge by class too
            expect(by_name["label"], "label", "tensor(int64)", (None,), "input")
        expect(out_by_name.get("score"), "score", "tensor(float)", (None,), "output")


def _fmt(shape: tuple[int | None, ...]) -> str:
    return "[" + ", ".join("N" if d is None else str(d) for d in shape) + "]"
