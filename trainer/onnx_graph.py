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
an integer x2 is the same as ``asymmetric`` + ``floor``.
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
    for node in resizes:  # the opset-13 attributes first, so that ONNX Runtime loads them without warnings
        node.CopyFrom(_nearest_resize(node.name, list(node.input), node.output[0]))
    shapes = _runtime_shapes(proto, [n for node in resizes for n in (node.input[0], node.output[0])])
    for index, node in enumerate(resizes):
        before, after = shapes[node.input[0]], shapes[node.output[0]]
        if any(b == 0 or a % b for a, b in zip(after, before)):
            continue  # not an integer upscale: keep the computed sizes
        scales_name = f"{node.name or 'resize'}_{index}_scales"
        scales = np.array([a // b for a, b in zip(after, before)], dtype=np.float32)
        proto.graph.initializer.append(numpy_helper.from_array(scales, scales_name))
        node.CopyFrom(_nearest_resize(node.name, [node.input[0], "", scales_name], node.output[0]))
    return len(resizes)


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


def optimise(proto: onnx.ModelProto) -> onnx.ModelProto:
    constant_resize_scales(proto)
    prune_dead_nodes(proto)
    return proto


def to_fp16(proto: onnx.ModelProto) -> onnx.ModelProto:
    """Half-precision weights and arithmetic, float32 inputs and outputs (the artifact contract)."""
    import warnings

    from onnxconverter_common import float16

    with warnings.catch_warnings():  # it warns for every tiny weight it rounds to fp16's smallest value
        warnings.simplefilter("ignore", UserWarning)
        return float16.convert_float_to_float16(proto, keep_io_types=True)
