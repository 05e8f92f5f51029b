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
resolution (see ``fold_upsampling_into_conv``), and the RGB convolution after
the last of them is computed on those phases too, so the full-size hidden
tensor is never interleaved (see ``fold_output_conv_into_phases``), and a GLU after an
interleave runs on the phases before it (see ``glu_onto_phases``).  The
other interleaves become two cheap transposes instead of ONNX Runtime's slow
DepthToSpace (see ``depth_to_space_as_transposes``).
"""

from __future__ import annotations

import collections

import numpy as np
import onnx
from artgan.models.artifact import max_frame_trim
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


def copy_model(proto: onnx.ModelProto) -> onnx.ModelProto:
    """A deep copy, for callers that keep the original: the rewrites here change a model in place."""
    duplicate = onnx.ModelProto()
    duplicate.CopyFrom(proto)
    return duplicate


def _runtime_shapes(proto: onnx.ModelProto, names: list[str]) -> dict[str, tuple[int, ...]]:
    """Shapes of intermediate tensors for a batch of one, measured with ONNX Runtime."""
    import onnxruntime as ort

    probe = copy_model(proto)
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


def _consumers(graph: onnx.GraphProto) -> dict[str, list[onnx.NodeProto]]:
    """Tensor name -> the nodes that read it."""
    consumers: dict[str, list[onnx.NodeProto]] = collections.defaultdict(list)
    for node in graph.node:
        for name in node.input:
            consumers[name].append(node)
    return consumers


def _splice(graph: onnx.GraphProto, old: list[onnx.NodeProto], new: list[onnx.NodeProto]) -> None:
    """Replace the ``old`` nodes by ``new`` ones where the first old one stood (keeps topological order)."""
    position = min(list(graph.node).index(node) for node in old)
    for node in old:
        graph.node.remove(node)
    for offset, node in enumerate(new):
        graph.node.insert(position + offset, node)


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
    consumers = _consumers(graph)
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

        _splice(graph, [old for old in (resize, conv, relu) if old is not None], nodes)
        graph.initializer.extend(new_inits)
        folded += 1
    return folded


_ACTIVATIONS = ("Tanh", "Sigmoid", "Relu")


def fold_output_conv_into_phases(proto: onnx.ModelProto) -> bool:
    """Phases -> DepthToSpace -> 3x3 Conv [-> activation] -> NHWC Transpose (the output) runs on the phases.

    DepthToSpace is a plain memory shuffle that ONNX Runtime runs slowly and on one thread; at the
    last upsampling it moves the widest tensor of the network (about a quarter of the painting
    time at 128 px).  The RGB convolution after it is rewritten as one 2x2 convolution over the
    phase tensor (4x the channels, one extra row and column of padding), with 4 x RGB outputs:
    output phase (a, b) at small pixel (i, j) comes out at (i + a, j + b), so with the phases in
    reversed DepthToSpace order a single uniform crop puts every pixel in place.  The interleave
    then moves only the 3-channel image, merged into the final NHWC transpose.  Returns whether it
    applied.
    """
    graph = proto.graph
    if len(graph.output) != 1:
        return False
    inits = {init.name: init for init in graph.initializer}
    producers = {name: node for node in graph.node for name in node.output}
    consumers = _consumers(graph)
    output = graph.output[0].name
    transpose = producers.get(output)
    if transpose is None or transpose.op_type != "Transpose" or _attrs(transpose).get("perm") != [0, 2, 3, 1]:
        return False
    chain = [transpose]
    node = producers.get(transpose.input[0])
    activation = node if node is not None and node.op_type in _ACTIVATIONS else None
    if activation is not None:
        chain.append(activation)
        node = producers.get(activation.input[0])
    conv = node
    if conv is None or not _is_plain_3x3(conv, inits) or any(len(consumers[n.input[0]]) != 1 for n in chain):
        return False
    depth_to_space = producers.get(conv.input[0])
    if (
        depth_to_space is None or depth_to_space.op_type != "DepthToSpace" or len(consumers[conv.input[0]]) != 1
        or _attrs(depth_to_space).get("blocksize") != 2 or _attrs(depth_to_space).get("mode", b"DCR") != b"DCR"
    ):
        return False
    phases = depth_to_space.input[0]
    _, _, height, width = _runtime_shapes(proto, [phases])[phases]

    kernel = numpy_helper.to_array(inits[conv.input[1]]).astype(np.float64)  # [out, in, 3, 3]
    outs, ins = kernel.shape[:2]
    weight = np.zeros((4 * outs, 4 * ins, 2, 2))
    for a, b, a_in, b_in, t, u in np.ndindex(2, 2, 2, 2, 2, 2):
        # Output phase (a, b), tap (t, u) of the 2x2 window, reading input phase (a_in, b_in):
        # the full-size offset it stands for is (2t + a + a_in - 1, 2u + b + b_in - 1) in the 3x3 kernel.
        dy, dx = 2 * t + a + a_in - 1, 2 * u + b + b_in - 1
        if 0 <= dy <= 2 and 0 <= dx <= 2:
            slot, source = (1 - a) * 2 + (1 - b), a_in * 2 + b_in
            weight[slot * outs:(slot + 1) * outs, source * ins:(source + 1) * ins, t, u] = kernel[:, :, dy, dx]
    base = conv.name or "output_conv"
    new_inits = [numpy_helper.from_array(weight.astype(np.float32), f"{base}_on_phases_weight")]
    conv_inputs = [phases, new_inits[0].name]
    if len(conv.input) > 2 and conv.input[2]:
        bias = np.tile(numpy_helper.to_array(inits[conv.input[2]]), 4)
        new_inits.append(numpy_helper.from_array(bias, f"{base}_on_phases_bias"))
        conv_inputs.append(new_inits[-1].name)
    constants = {
        "phase_shape": [-1, 2, 2, outs, height + 1, width + 1],
        "image_shape": [-1, 2 * height + 2, 2 * width + 2, outs],
        "crop_starts": [1, 1], "crop_ends": [2 * height + 1, 2 * width + 1], "crop_axes": [1, 2],
    }
    for key, value in constants.items():
        new_inits.append(numpy_helper.from_array(np.array(value, dtype=np.int64), f"{base}_{key}"))
    nodes = [helper.make_node("Conv", conv_inputs, [f"{base}_on_phases"], name=f"{base}_on_phases", kernel_shape=[2, 2], pads=[1, 1, 1, 1])]
    last = nodes[-1].output[0]
    if activation is not None:
        nodes.append(helper.make_node(activation.op_type, [last], [f"{base}_activated"], name=f"{base}_activated"))
        last = nodes[-1].output[0]
    nodes += [  # [N, 2, 2, C, h+1, w+1] -> [N, h+1, 2, w+1, 2, C] is DepthToSpace and NCHW -> NHWC in one move
        helper.make_node("Reshape", [last, f"{base}_phase_shape"], [f"{base}_by_phase"]),
        helper.make_node("Transpose", [f"{base}_by_phase"], [f"{base}_interleaved"], perm=[0, 4, 1, 5, 2, 3]),
        helper.make_node("Reshape", [f"{base}_interleaved", f"{base}_image_shape"], [f"{base}_padded_image"]),
        helper.make_node(
            "Slice", [f"{base}_padded_image", f"{base}_crop_starts", f"{base}_crop_ends", f"{base}_crop_axes"], [output]
        ),
    ]
    _splice(graph, [depth_to_space, conv, *chain], nodes)
    graph.initializer.extend(new_inits)
    return True


def glu_onto_phases(proto: onnx.ModelProto) -> int:
    """Phases -> Concat -> DepthToSpace -> NHWC Transpose -> GLU becomes a GLU on each phase; return how many.

    FastGAN's up blocks end in a gated linear unit (split the channels in two halves a, b;
    a * sigmoid(b)).  tf2onnx computes it in NHWC after the interleave, between a Transpose
    pair, on twice the channels the block outputs.  The GLU only mixes channel c with channel
    c + C/2 of the same pixel, and each phase convolution holds all channels of its pixels, so
    it can run on each phase in NCHW before the interleave: the two full-size Transposes go,
    and the interleave moves half as much.  Same numbers, bit for bit.
    """
    graph = proto.graph
    consumers = _consumers(graph)
    producers = {name: node for node in graph.node for name in node.output}
    outputs = {o.name for o in graph.output}

    def only_user(name: str, op_type: str) -> onnx.NodeProto | None:
        users = consumers.get(name, [])
        return users[0] if len(users) == 1 and users[0].op_type == op_type and name not in outputs else None

    rewritten = 0
    for d2s in [n for n in graph.node if n.op_type == "DepthToSpace"]:
        concat = producers.get(d2s.input[0])
        if concat is None or concat.op_type != "Concat" or _attrs(concat).get("axis") != 1 or len(concat.input) != 4:
            continue
        if any(len(consumers.get(phase, [])) != 1 for phase in concat.input) or concat.output[0] in outputs:
            continue
        to_nhwc = only_user(d2s.output[0], "Transpose")
        if to_nhwc is None or list(_attrs(to_nhwc).get("perm", [])) != [0, 2, 3, 1]:
            continue
        split = only_user(to_nhwc.output[0], "Split")
        if split is None or _attrs(split).get("axis") not in (-1, 3) or len(split.output) != 2 or len(split.input) != 1:
            continue
        sigmoid = only_user(split.output[1], "Sigmoid")
        mul = only_user(split.output[0], "Mul")
        if sigmoid is None or mul is None or only_user(sigmoid.output[0], "Mul") is not mul:
            continue
        base = f"{d2s.name or 'interleave'}_glu{rewritten}"
        nodes, gated = [], []
        for k, phase in enumerate(concat.input):
            a, b, gate = f"{base}_p{k}_a", f"{base}_p{k}_b", f"{base}_p{k}_gate"
            nodes += [
                helper.make_node("Split", [phase], [a, b], name=f"{base}_p{k}_split", axis=1),
                helper.make_node("Sigmoid", [b], [gate], name=f"{base}_p{k}_sigmoid"),
                helper.make_node("Mul", [a, gate], [f"{base}_p{k}"], name=f"{base}_p{k}_mul"),
            ]
            gated.append(f"{base}_p{k}")
        nchw = f"{base}_nchw"
        nodes += [
            helper.make_node("Concat", gated, [f"{base}_phases"], name=f"{base}_concat", axis=1),
            helper.make_node("DepthToSpace", [f"{base}_phases"], [nchw], name=f"{base}_d2s", blocksize=2, mode="DCR"),
            # the NHWC result under its old name, for readers that want NHWC (removed when none is left)
            helper.make_node("Transpose", [nchw], [mul.output[0]], name=f"{base}_nhwc", perm=[0, 2, 3, 1]),
        ]
        back = [n for n in consumers.get(mul.output[0], [])
                if n.op_type == "Transpose" and list(_attrs(n).get("perm", [])) == [0, 3, 1, 2] and n.output[0] not in outputs]
        _splice(graph, [concat, d2s, to_nhwc, split, sigmoid, mul], nodes)
        for transpose in back:  # NHWC -> NCHW straight after: read the NCHW tensor instead
            for reader in consumers.get(transpose.output[0], []):
                reader.input[:] = [nchw if name == transpose.output[0] else name for name in reader.input]
            graph.node.remove(transpose)
        consumers = _consumers(graph)
        if not consumers.get(mul.output[0]) and mul.output[0] not in outputs:
            graph.node.remove(next(n for n in graph.node if n.name == f"{base}_nhwc"))
        producers = {name: node for node in graph.node for name in node.output}
        rewritten += 1
    return rewritten


def depth_to_space_as_transposes(proto: onnx.ModelProto) -> int:
    """Each DepthToSpace (blocksize 2, DCR) becomes two Reshape/Transpose moves; return how many.

    ONNX Runtime's CPU DepthToSpace is a generic 6-D transpose that moves one float at a time
    (about 12 % of a 128 px painting).  Split in two, each move is one ONNX Runtime does
    quickly, on one thread or many: the column phases are zipped, [N*2, 2, C*H, W] ->
    [N*2, C*H, W, 2] (a few large 2 x C*H*W transposes), then each row phase goes next to
    its row in whole 2W-float runs, [N, 2, C*H, 2W] -> [N, C*H, 2, 2W].  (Zipping row pairs
    as [M, 2, W] -> [M, W, 2] is as fast on one thread but ~30x slower on a thread pool,
    which splits it into millions of tiny transposes.)  Bit for bit the same interleave.
    """
    graph = proto.graph
    found = [
        node for node in graph.node
        if node.op_type == "DepthToSpace" and _attrs(node).get("blocksize") == 2 and _attrs(node).get("mode", b"DCR") == b"DCR"
    ]
    if not found:
        return 0
    shapes = _runtime_shapes(proto, [node.input[0] for node in found])
    for index, node in enumerate(found):
        _, channels4, height, width = (int(d) for d in shapes[node.input[0]])
        planes, base = channels4 // 4 * height, node.name or f"depth_to_space{index}"
        targets = {  # -1 is the batch size (times 2 in the first)
            "by_column_phase": [-1, 2, planes, width],  # [N*a, b, C*H, W]; DCR channel = (a, b, c)
            "by_row_phase": [-1, 2, planes, 2 * width],  # [N, a, C*H, 2W]
            "image": [-1, channels4 // 4, 2 * height, 2 * width],
        }
        for key, value in targets.items():
            graph.initializer.append(numpy_helper.from_array(np.array(value, dtype=np.int64), f"{base}_{key}_shape"))
        nodes = [
            helper.make_node("Reshape", [node.input[0], f"{base}_by_column_phase_shape"], [f"{base}_by_column_phase"]),
            helper.make_node("Transpose", [f"{base}_by_column_phase"], [f"{base}_columns_zipped"], perm=[0, 2, 3, 1]),
            helper.make_node("Reshape", [f"{base}_columns_zipped", f"{base}_by_row_phase_shape"], [f"{base}_by_row_phase"]),
            helper.make_node("Transpose", [f"{base}_by_row_phase"], [f"{base}_rows_zipped"], perm=[0, 2, 1, 3]),
            helper.make_node("Reshape", [f"{base}_rows_zipped", f"{base}_image_shape"], [node.output[0]]),
        ]
        _splice(graph, [node], nodes)
    return len(found)


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


def optimise(proto: onnx.ModelProto, fold: bool = True, interleave_by_transposes: bool = True) -> onnx.ModelProto:
    """Every clean-up above, in order; the switches exist for benchmarks/bench_paint.py's comparisons."""
    constant_resize_scales(proto)
    if fold and fold_upsampling_into_conv(proto):
        fold_output_conv_into_phases(proto)
        glu_onto_phases(proto)
    prune_dead_nodes(proto)
    if interleave_by_transposes:
        depth_to_space_as_transposes(proto)
    return proto


def half_weights(proto: onnx.ModelProto, min_size: int = 1024) -> onnx.ModelProto:
    """Store float32 weights (``min_size`` values or more) as float16, each behind a Cast to float32.

    The file is about half the size while the arithmetic stays float32: ONNX Runtime's constant
    folding turns every Cast of an initialiser back into a float32 weight when the session loads,
    so painting is exactly as fast.  Rounding the weights moves a 64 px painting by ~2e-3 at
    most in [-1, 1] units, under a quarter of one 8-bit colour level.
    """
    graph = proto.graph
    casts = []
    for init in list(graph.initializer):
        if init.data_type != onnx.TensorProto.FLOAT or int(np.prod(init.dims)) < min_size:
            continue
        half = numpy_helper.from_array(numpy_helper.to_array(init).astype(np.float16), f"{init.name}_float16")
        graph.initializer.remove(init)
        graph.initializer.append(half)
        casts.append(helper.make_node("Cast", [half.name], [init.name], name=f"{init.name}_as_float32", to=onnx.TensorProto.FLOAT))
    for index, cast in enumerate(casts):
        graph.node.insert(index, cast)
    return proto


def to_fp16(proto: onnx.ModelProto) -> onnx.ModelProto:
    """Half-precision weights and arithmetic, float32 inputs and outputs (the artifact contract)."""
    import warnings

    from onnxconverter_common import float16

    with warnings.catch_warnings():  # it warns for every tiny weight it rounds to fp16's smallest value
        warnings.simplefilter("ignore", UserWarning)
        return float16.convert_float_to_float16(proto, keep_io_types=True)


def trim_frame(proto: onnx.ModelProto, pixels: int, output: str = "image") -> onnx.ModelProto:
    """Cut ``pixels`` off every side of the NHWC painting and resize the rest back to full size.

    A generator whose convolutions pad with zeros can tell its border from its middle, and a
    short-trained one paints a light frame there that no photo has (evaluation.edges).  Trimming
    it in the graph keeps every consumer (painting, ranking, the studio) on one function.  The
    resize is bicubic (Keys, a = -0.5, pixel centres, taps beyond the border dropped and the rest
    renormalised), the same as ``tf.image.resize(bicubic)``: the painting is only enlarged by
    size / (size - 2 pixels), not re-filtered.
    """
    if pixels < 0:
        raise ValueError(f"the frame to trim must be 0 or more pixels, not {pixels}")
    if pixels == 0:
        return proto
    graph = proto.graph
    outputs = [value for value in graph.output if value.name == output]
    if not outputs:
        raise ValueError(f"the graph has no output named {output!r}")
    dims = outputs[0].type.tensor_type.shape.dim
    if len(dims) != 4 or not dims[1].HasField("dim_value") or dims[1].dim_value != dims[2].dim_value:
        raise ValueError("trim_frame needs a square NHWC image output of fixed size")
    size = dims[1].dim_value
    if pixels > max_frame_trim(size):
        raise ValueError(f"trimming {pixels} px a side would cut more than a quarter of a {size} px painting")
    framed = f"{output}_framed"
    for node in graph.node:
        node.output[:] = [framed if name == output else name for name in node.output]
    base = "frame_trim"
    graph.initializer.extend([
        numpy_helper.from_array(np.array([pixels, pixels], np.int64), f"{base}_starts"),
        numpy_helper.from_array(np.array([size - pixels, size - pixels], np.int64), f"{base}_ends"),
        numpy_helper.from_array(np.array([2, 3], np.int64), f"{base}_axes"),
        numpy_helper.from_array(np.array([0], np.int64), f"{base}_zero"),
        numpy_helper.from_array(np.array([2], np.int64), f"{base}_two"),
        numpy_helper.from_array(np.array([size, size], np.int64), f"{base}_size"),
    ])
    graph.node.extend([
        helper.make_node("Transpose", [framed], [f"{base}_nchw"], perm=[0, 3, 1, 2]),
        helper.make_node("Slice", [f"{base}_nchw", f"{base}_starts", f"{base}_ends", f"{base}_axes"], [f"{base}_inner"]),
        helper.make_node("Shape", [f"{base}_inner"], [f"{base}_shape"]),
        helper.make_node("Slice", [f"{base}_shape", f"{base}_zero", f"{base}_two"], [f"{base}_batch_channels"]),
        helper.make_node("Concat", [f"{base}_batch_channels", f"{base}_size"], [f"{base}_sizes"], axis=0),
        helper.make_node(
            "Resize", [f"{base}_inner", "", "", f"{base}_sizes"], [f"{base}_resized"], mode="cubic",
            cubic_coeff_a=-0.5, exclude_outside=1, coordinate_transformation_mode="half_pixel",
        ),
        helper.make_node("Transpose", [f"{base}_resized"], [output], perm=[0, 2, 3, 1]),
    ])
    return proto
