"""Clean-ups of the ONNX graphs tf2onnx writes, so ONNX Runtime runs them at its best.

tf2onnx turns Keras' ``UpSampling2D`` into a Repeat chain (Shape, Slice, Cast,
Concat, Unsqueeze, Tile, Reshape) in NHWC, with a Transpose pair around every
convolution.  The exporter therefore converts a copy of the generator whose
upsampling is ``tf.image.resize(nearest)``; tf2onnx maps that to ``Resize``
and its transpose optimiser can then keep the whole trunk in NCHW (one
Transpose after the Dense layer, one before the output).  What is left is
done here: each ``Resize`` gets constant scales (the ``sizes`` it computed
from the runtime shape become dead code, removed with every other node that
no output needs) and the opset-13 form of TF's pixel-centre rule, which for
an integer x2 is the same as ``asymmetric`` + ``floor``.  Then each nearest x2
followed by a 3x3 convolution is folded into four 2x2 convolutions at the low
resolution (see ``fold_upsampling_into_conv``).
"""

from __future__ import annotations

import collections

import numpy as np
import onnx
from onnx import helper, numpy_helper


def op_counts(proto: onnx.ModelProto) -> dict[str, int]:
    return dict(sorted(collections.Counter(node.op_type for node in proto.graph.node).items()))


def _dummy_feeds(proto: onnx.ModelProto) -> dict[str, np.ndarray]:
    feeds = {}
    initializers = {init.name for init in proto.graph.initializer}
    for value in proto.graph.input:
        if value.name in initializers:
            continue
        tensor = value.type.tensor_type
        shape = [d.dim_value if d.HasField("dim_value") else 1 for d in tensor.shape.dim]
        dtype = onnx.helper.tensor_dtype_to_np_dtype(tensor.elem_type)
        feeds[value.name] = np.zeros(shape, dtype=dtype)
    return feeds


def _runtime_shapes(proto: onnx.ModelProto, names: list[str]) -> dict[str, tuple[int, ...]]:
    """Shapes of intermediate tensors for a batch of one, measured with ONNX Runtime."""
    import onnxruntime as ort

    probe = onnx.ModelProto()
    probe.CopyFrom(proto)
    del probe.graph.output[:]
    for name in names:
        probe.graph.output.append(helper.make_empty_tensor_value_info(name))
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(probe.SerializeToString(), options, providers=["CPUExecutionProvider"])
    values = session.run(names, _dummy_feeds(proto))
    return {name: tuple(value.shape) for name, value in zip(names, values)}


def _nearest_resize(name: str, inputs: list[str], output: str) -> onnx.NodeProto:
    # For integer scales, TF's half-pixel nearest rule picks the same pixels as asymmetric + floor.
    return helper.make_node(
        "Resize", inputs, [output], name=name,
        mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode="floor",
    )


def constant_resize_scales(proto: onnx.ModelProto) -> int:
    """Give every nearest-neighbour Resize constant integer scales; return how many were changed."""
    resizes = [
        node for node in proto.graph.node
        if node.op_type == "Resize" and helper.get_attribute_value(
            next((a for a in node.attribute if a.name == "mode"), helper.make_attribute("mode", "nearest"))
        ) in (b"nearest", "nearest")
    ]
    if not resizes:
        return 0
    originals = []
    for node in resizes:  # opset-13 attributes while probing, so ONNX Runtime loads them without warnings
        originals.append(onnx.NodeProto())
        originals[-1].CopyFrom(node)
        node.CopyFrom(_nearest_resize(node.name, list(node.input), node.output[0]))
    shapes = _runtime_shapes(proto, [n for node in resizes for n in (node.input[0], node.output[0])])
    for index, node in enumerate(resizes):
        before, after = shapes[node.input[0]], shapes[node.output[0]]
        if any(b == 0 or a % b for a, b in zip(after, before)):
            node.CopyFrom(originals[index])  # not an integer upscale: the pixel rule matters, keep it all
            continue
        scales_name = f"{node.name or 'resize'}_{index}_scales"
        scales = np.array([a // b for a, b in zip(after, before)], dtype=np.float32)
        proto.graph.initializer.append(numpy_helper.from_array(scales, scales_name))
        node.CopyFrom(_nearest_resize(node.name, [node.input[0], "", scales_name], node.output[0]))
    return len(resizes)


# Nearest x2 then a 3x3 convolution: each of the 4 output phases (row parity a, column parity b)
# sees only a 2x2 window of the small input, whose taps are sums of the 3x3 kernel's taps.
# Phase 0 reads rows (i-1, i), phase 1 rows (i, i+1); per axis the 2 taps are these sums of 3.
_PHASE_TAPS = np.array([[[1, 0, 0], [0, 1, 1]], [[1, 1, 0], [0, 0, 1]]], dtype=np.float64)  # [phase, tap, 3]


def _attrs(node: onnx.NodeProto) -> dict:
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _is_nearest_x2(resize: onnx.NodeProto, inits: dict) -> bool:
    attrs = _attrs(resize)
    scales = inits.get(resize.input[2]) if len(resize.input) > 2 else None
    return (
        scales is not None
        and numpy_helper.to_array(scales).tolist() == [1.0, 1.0, 2.0, 2.0]
        and attrs.get("mode") == b"nearest"
        and attrs.get("coordinate_transformation_mode") == b"asymmetric"
        and attrs.get("nearest_mode", b"round_prefer_floor") == b"floor"
    )


def _is_plain_3x3(conv: onnx.NodeProto, inits: dict) -> bool:
    attrs = _attrs(conv)
    weight = inits.get(conv.input[1]) if conv.op_type == "Conv" and len(conv.input) > 1 else None
    return (
        weight is not None
        and list(weight.dims[2:]) == [3, 3]
        and attrs.get("pads", [0] * 4) == [1, 1, 1, 1]
        and attrs.get("strides", [1, 1]) == [1, 1]
        and attrs.get("dilations", [1, 1]) == [1, 1]
        and attrs.get("group", 1) == 1
        and attrs.get("auto_pad", b"NOTSET") == b"NOTSET"
    )


def fold_upsampling_into_conv(proto: onnx.ModelProto) -> int:
    """Nearest x2 Resize -> 3x3 Conv [-> Relu] becomes four 2x2 Convs at the low resolution; return how many.

    Each small convolution computes one output phase (16 instead of 36 multiply-adds per small
    pixel and channel pair in all: 2.25x fewer FLOPs, and no upsampled tensor); its asymmetric
    padding picks the phase's window.  Concat + DepthToSpace put the phases in place.  A
    following Relu moves onto each phase so ONNX Runtime still fuses it into the Conv.
    """
    graph = proto.graph
    inits = {init.name: init for init in graph.initializer}
    consumers: dict[str, list[onnx.NodeProto]] = collections.defaultdict(list)
    for node in graph.node:
        for name in node.input:
            consumers[name].append(node)
    outputs = {o.name for o in graph.output}
    folded = 0
    for resize in [n for n in graph.node if n.op_type == "Resize"]:
        users = consumers[resize.output[0]]
        if not _is_nearest_x2(resize, inits) or len(users) != 1 or resize.output[0] in outputs:
            continue
        conv = users[0]
        if conv.input[0] != resize.output[0] or not _is_plain_3x3(conv, inits):
            continue
        after = consumers[conv.output[0]]
        relu = after[0] if len(after) == 1 and after[0].op_type == "Relu" and conv.output[0] not in outputs else None
        final = relu.output[0] if relu else conv.output[0]
        base = conv.name or f"fold{folded}"
        kernel = numpy_helper.to_array(inits[conv.input[1]]).astype(np.float64)  # [out, in, 3, 3]
        bias = [conv.input[2]] if len(conv.input) > 2 and conv.input[2] else []

        nodes, new_inits, phases = [], [], []
        for k, (a, b) in enumerate(((0, 0), (0, 1), (1, 0), (1, 1))):  # DepthToSpace DCR order
            weight = np.einsum("ty,ux,oiyx->oitu", _PHASE_TAPS[a], _PHASE_TAPS[b], kernel).astype(np.float32)
            new_inits.append(numpy_helper.from_array(weight, f"{base}_phase{k}_weight"))
            out = f"{base}_phase{k}"
            nodes.append(helper.make_node(
                "Conv", [resize.input[0], f"{base}_phase{k}_weight", *bias], [out], name=out,
                kernel_shape=[2, 2], pads=[1 - a, 1 - b, a, b],  # phase 0 reads (i-1, i), phase 1 (i, i+1)
            ))
            if relu:
                nodes.append(helper.make_node("Relu", [out], [out + "_relu"], name=out + "_relu"))
                out += "_relu"
            phases.append(out)
        nodes.append(helper.make_node("Concat", phases, [f"{base}_phases"], axis=1))
        nodes.append(helper.make_node("DepthToSpace", [f"{base}_phases"], [final], blocksize=2, mode="DCR"))

        position = list(graph.node).index(conv) - 1  # the Resize before it goes too
        for old in (resize, conv, relu):
            if old is not None:
                graph.node.remove(old)
        for offset, node in enumerate(nodes):
            graph.node.insert(position + offset, node)
        graph.initializer.extend(new_inits)
        folded += 1
    return folded


def prune_dead_nodes(proto: onnx.ModelProto) -> int:
    """Remove nodes no graph output depends on, and initialisers nothing reads; return nodes removed."""
    graph = proto.graph
    needed = {output.name for output in graph.output}
    keep = []
    for node in reversed(graph.node):  # tf2onnx writes nodes in topological order
        if any(name in needed for name in node.output):
            keep.append(node)
            needed.update(name for name in node.input if name)
    removed = len(graph.node) - len(keep)
    kept_nodes = list(reversed(keep))
    del graph.node[:]
    graph.node.extend(kept_nodes)
    used_initializers = [init for init in graph.initializer if init.name in needed]
    del graph.initializer[:]
    graph.initializer.extend(used_initializers)
    return removed


def optimise(proto: onnx.ModelProto, fold: bool = True) -> onnx.ModelProto:
    constant_resize_scales(proto)
    if fold:
        fold_upsampling_into_conv(proto)
    prune_dead_nodes(proto)
    return proto


def to_fp16(proto: onnx.ModelProto) -> onnx.ModelProto:
    """Half-precision weights and arithmetic, float32 inputs and outputs (the artifact contract)."""
    import warnings

    from onnxconverter_common import float16

    with warnings.catch_warnings():  # it warns for every tiny weight it rounds to fp16's smallest value
        warnings.simplefilter("ignore", UserWarning)
        return float16.convert_float_to_float16(proto, keep_io_types=True)
