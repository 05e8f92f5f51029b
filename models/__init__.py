"""artgan.models: the model store and artifact format (no TensorFlow here)."""

from .artifact import (
    FORMAT_VERSION,
    ModelError,
    ModelInfo,
    build_metadata,
    parse_metadata,
)
from .runtime import LoadedModel, load_model, providers_for
from .store import ModelEntry, list_models, resolve_painter

__all__ = [
    "FORMAT_VERSION",
    "LoadedModel",
    "ModelEntry",
    "ModelError",
    "ModelInfo",
    "build_metadata",
    "list_models",
    "load_model",
    "parse_metadata",
    "providers_for",
    "resolve_painter",
]
