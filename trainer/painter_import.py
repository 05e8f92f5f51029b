"""Read an exported FastGAN painter and its critic back into trainable networks.

``artgan train --size 128 --grow-from models/default.onnx --freeze-grown`` grows a larger
painter from a painter file: the bundled one, or one whose run folder is gone.  The
painter's ``training_config`` metadata rebuilds its networks; the weights come from the
ONNX initialisers, undoing what export did to them:

- Keras layer ``L`` of the generator (critic) is exported as ``generator_1/L_1/...``
  (``discriminator_1/L_1/...``), convolution kernels as OIHW;
- batch norm is folded into the convolution before it (its scale into the kernel, its
  shift into the bias ``L_bn_1/batchnorm/sub``), so the rebuilt batch norm is the identity
  plus that shift, which is exact in inference mode only: the reused layers must stay
  frozen (``--freeze-grown``);
- the fast-graph rewrite split each nearest-x2 + 3x3 convolution into four 2x2 phase
  convolutions whose taps are sums of the 3x3 taps (:mod:`.onnx_graph`); the 3x3 kernel is
  their least-squares solution (exact: 9 unknowns, 16 consistent equations).

The decoders of the self-reconstructing discriminator and the optimizer state are not
exported; they start fresh.  Every import is checked: the rebuilt generator and critic
must reproduce the files' outputs, or the import is refused.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from .config import TrainConfig

PARITY_TOLERANCE = 2e-2  # float16-stored weights read back: ~2e-3 measured
BN_EPSILON = 1e-3  # Keras BatchNormalization's default


class PainterImportError(Exception):
    """The painter file cannot be read back into a run; the message says why."""


def _initializers(path: Path) -> tuple[dict[str, np.ndarray], list, dict[str, str]]:
    """(name -> float32 array, the graph's nodes, metadata) of an ONNX file; compact files' float16
    initialisers are returned under their float32 names."""
    import onnx
    from onnx import numpy_helper

    try:
        proto = onnx.load(str(path))
    except Exception as exc:  # onnx raises several types for unreadable files
        raise PainterImportError(f"{path} is not a readable ONNX file ({type(exc).__name__})") from None
    arrays = {}
    for init in proto.graph.initializer:
        arrays[init.name.removesuffix("_float16")] = numpy_helper.to_array(init).astype(np.float32)
    return arrays, list(proto.graph.node), {p.key: p.value for p in proto.metadata_props}


def _layer_arrays(arrays: dict[str, np.ndarray], model: str, layer: str) -> dict[str, np.ndarray]:
    """The initialisers tf2onnx named after a Keras layer: ``{model}_1/{layer}_1/rest`` -> {rest: array}."""
    prefix = f"{model}_1/{layer}_1/"
    return {name[len(prefix):]: value for name, value in arrays.items() if name.startswith(prefix)}


def _conv_weights(found: dict[str, np.ndarray], what: str) -> list[np.ndarray]:
    kernels = [v for v in found.values() if v.ndim == 4]
    biases = [v for v in found.values() if v.ndim == 1]
    if len(kernels) != 1 or len(biases) != 1:
        raise PainterImportError(f"{what}: expected one kernel and one bias in the file, found {len(kernels)} and {len(biases)}")
    return [kernels[0].transpose(2, 3, 1, 0), biases[0]]  # OIHW -> HWIO


def unfold_phases(phases: dict[tuple[int, int], np.ndarray]) -> np.ndarray:
    """The 3x3 kernel [3, 3, in, out] whose nearest-x2 phases are these 2x2 kernels [out, in, 2, 2]."""
    from .onnx_graph import _PHASE_TAPS

    # phase (a, b), tap (t, u) = sum_yx TAPS[a][t, y] TAPS[b][u, x] K[y, x]: one linear system for every (out, in)
    rows, targets = [], []
    for (a, b), weight in sorted(phases.items()):
        rows.append(np.einsum("ty,ux->tuyx", _PHASE_TAPS[a], _PHASE_TAPS[b]).reshape(4, 9))
        targets.append(weight.transpose(2, 3, 0, 1).reshape(4, -1))  # [tap, out * in]
    solution, *_ = np.linalg.lstsq(np.concatenate(rows), np.concatenate(targets), rcond=None)
    out_ch, in_ch = next(iter(phases.values())).shape[:2]
    return solution.reshape(3, 3, out_ch, in_ch).transpose(0, 1, 3, 2).astype(np.float32)


def _upsample_kernel(nodes: list, arrays: dict[str, np.ndarray], block: str) -> np.ndarray:
    """The 3x3 kernel [3, 3, in, out] of up block ``block``: the Conv nodes whose bias is its batch norm's
    shift, either four 2x2 phases (the fast graph) or one 3x3 convolution after a Resize."""
    bias = f"generator_1/{block}_bn_1/batchnorm/sub:0"
    convs = [n for n in nodes if n.op_type == "Conv" and len(n.input) > 2 and n.input[2] == bias]
    if len(convs) == 1 and arrays[convs[0].input[1]].shape[2:] == (3, 3):
        return arrays[convs[0].input[1]].transpose(2, 3, 1, 0)
    if len(convs) != 4:
        raise PainterImportError(f"{block}: found {len(convs)} convolutions with its batch-norm shift, not 1 or 4")
    phases = {}
    for conv in convs:
        pads = next(list(a.ints) for a in conv.attribute if a.name == "pads")  # [1 - a, 1 - b, a, b]
        phases[(pads[2], pads[3])] = arrays[conv.input[1]]
    if sorted(phases) != [(0, 0), (0, 1), (1, 0), (1, 1)]:
        raise PainterImportError(f"{block}: its four phase convolutions are not the four phases")
    return unfold_phases(phases)


def _identity_bn(shift: np.ndarray, scale: np.ndarray | None = None) -> list[np.ndarray]:
    """gamma, beta, moving mean, moving variance of a batch norm that computes x * scale + shift in inference."""
    ones = np.ones_like(shift)
    return [ones if scale is None else scale, shift, np.zeros_like(shift), ones - BN_EPSILON]


def load_generator_weights(generator, nodes: list, arrays: dict[str, np.ndarray]) -> None:
    for layer in generator.layers:
        if not layer.weights:
            continue
        name = layer.name
        if re.fullmatch(r"g_up\d+_conv", name):
            weights = [_upsample_kernel(nodes, arrays, name[: -len("_conv")])]
        elif name.endswith("_bn"):
            found = _layer_arrays(arrays, "generator", name)
            if "batchnorm/sub:0" not in found:
                raise PainterImportError(f"{name}: its batch-norm shift is not in the file")
            weights = _identity_bn(found["batchnorm/sub:0"], found.get("batchnorm/mul:0"))
        elif name == "g_init":
            kernels = [v for v in _layer_arrays(arrays, "generator", name).values() if v.ndim == 2]
            if len(kernels) != 1:
                raise PainterImportError("g_init: its dense kernel is not in the file")
            weights = kernels
        else:
            weights = _conv_weights(_layer_arrays(arrays, "generator", name), name)
        _set(layer, weights)


def load_critic_weights(discriminator, arrays: dict[str, np.ndarray]) -> None:
    for layer in discriminator.layers:
        if layer.weights:
            _set(layer, _conv_weights(_layer_arrays(arrays, "discriminator", layer.name), layer.name))


def _set(layer, weights: list[np.ndarray]) -> None:
    expected = [tuple(w.shape) for w in layer.weights]
    if [w.shape for w in weights] != expected:
        raise PainterImportError(f"{layer.name}: the file's weights have shapes {[w.shape for w in weights]}, the network {expected}")
    layer.set_weights(weights)


def painter_config(metadata: dict[str, str], path: Path) -> TrainConfig:
    if metadata.get("artgan.kind") != "painter" or "artgan.training_config" not in metadata:
        raise PainterImportError(f"{path} is not an artgan painter with its training settings (artgan export writes them)")
    config = TrainConfig.from_dict(json.loads(metadata["artgan.training_config"]))
    if config.arch != "fastgan":
        raise PainterImportError(f"{path} is a {config.arch} painter; only fastgan painters can be grown from")
    if config.class_names or config.blur_from or config.skip_rgb or config.grow_from or config.second_conv \
            or config.noise_from or config.global_critic:
        raise PainterImportError(
            f"{path}: reading back a painter file supports plain unconditional fastgan painters without blur, "
            f"--second-conv, --noise-from or --global-critic; grow from its run folder instead"
        )
    return config


def import_painter(painter: Path):
    """(config, GAN) rebuilt from ``painter`` and the ``.critic.onnx`` beside it: G and its EMA copy both hold
    the painter's weights, D the critic's; decoders and optimizers are fresh."""
    from artgan.models.store import critic_path_for

    from .loop import GAN

    critic = critic_path_for(painter) if painter.name.endswith(".onnx") else None
    if critic is None:
        raise PainterImportError(
            f"{painter} has no critic beside it ({painter.name.removesuffix('.onnx')}.critic.onnx): growing needs the "
            f"discriminator too (artgan export writes both)"
        )
    g_arrays, g_nodes, metadata = _initializers(painter)
    config = painter_config(metadata, painter)
    gan = GAN(config)
    for generator in (gan.generator, gan.ema_generator):
        load_generator_weights(generator, g_nodes, g_arrays)
    d_arrays, _, _ = _initializers(critic)
    load_critic_weights(gan.discriminator, d_arrays)
    gan.step = int(metadata.get("artgan.steps", 0))
    check_parity(gan, painter, critic, frame_trim=int(metadata.get("artgan.frame_trim", 0)))
    return config, gan


def check_parity(gan, painter: Path, critic: Path, n: int = 8, frame_trim: int = 0) -> None:
    """Refuse an import whose rebuilt networks do not reproduce the files' outputs.

    A painter exported with ``--trim-frame`` is compared after the same trim; the rebuilt generator
    itself paints the untrimmed picture, which is what a grown run builds on."""
    from artgan.models.runtime import open_session

    from .export import trimmed_reference

    z = np.random.default_rng(0).standard_normal((n, gan.config.latent_dim)).astype(np.float32)
    images = gan.paint(z)
    painted = open_session(painter, device="cpu").run(["image"], {"z": z})[0]
    painted_here = trimmed_reference(images, frame_trim)
    logits = np.asarray(gan.discriminator(images, training=False))
    session = open_session(critic, device="cpu")
    scored = session.run(None, {session.get_inputs()[0].name: images})[0]
    image_gap = float(np.abs(painted_here - painted).max())
    logit_gap = float(np.abs(logits.reshape(-1) - scored.reshape(-1)).max())
    if image_gap > PARITY_TOLERANCE or logit_gap > PARITY_TOLERANCE * max(1.0, float(np.abs(scored).max())):
        raise PainterImportError(
            f"{painter} could not be read back exactly (largest difference {image_gap:.3g} in the painting, "
            f"{logit_gap:.3g} in the critic's score): it was not exported by this version of artgan"
        )
