"""Graph rewrites of trainer/onnx_graph.py on hand-built ONNX graphs (no TensorFlow needed), and batch splitting."""

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
import onnxruntime as ort  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from artgan.trainer.onnx_graph import (  # noqa: E402
    depth_to_space_as_transposes, fold_output_conv_into_phases, glu_onto_phases, op_counts,
)


def _phases_to_image(kernel: int = 3, activation: str | None = "Tanh", channels: int = 5, h: int = 3, w: int = 4):
    """phases [N, 4C, h, w] -> DepthToSpace -> Conv(kernel) + bias [-> activation] -> NHWC image."""
    rng = np.random.default_rng(0)
    weight = rng.standard_normal((3, channels, kernel, kernel)).astype(np.float32)
    bias = rng.standard_normal(3).astype(np.float32)
    pad = kernel // 2
    nodes = [
        helper.make_node("DepthToSpace", ["phases"], ["hidden"], blocksize=2, mode="DCR"),
        helper.make_node("Conv", ["hidden", "w", "b"], ["conv"], name="rgb", kernel_shape=[kernel, kernel], pads=[pad] * 4),
    ]
    last = "conv"
    if activation:
        nodes.append(helper.make_node(activation, ["conv"], ["act"]))
        last = "act"
    nodes.append(helper.make_node("Transpose", [last], ["image"], perm=[0, 2, 3, 1]))
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info("phases", TensorProto.FLOAT, [None, 4 * channels, h, w])],
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [None, 2 * h, 2 * w, 3])],
        [numpy_helper.from_array(weight, "w"), numpy_helper.from_array(bias, "b")],
    )
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    return proto, rng.standard_normal((2, 4 * channels, h, w)).astype(np.float32)


def _run(proto, x):
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(["image"], {"phases": x})[0]


@pytest.mark.parametrize("activation", ["Tanh", None])
def test_output_conv_on_phases_gives_the_same_image_without_interleaving_hidden_channels(activation):
    proto, x = _phases_to_image(activation=activation)  # h != w, and borders on every side are exercised
    before = _run(proto, x)
    assert fold_output_conv_into_phases(proto)
    ops = op_counts(proto)
    assert "DepthToSpace" not in ops and ops["Conv"] == 1 and ops["Slice"] == 1
    after = _run(proto, x)
    assert after.shape == before.shape == (2, 6, 8, 3)
    np.testing.assert_allclose(after, before, atol=1e-5)


def test_output_conv_that_is_not_a_plain_3x3_is_left_alone():
    proto, x = _phases_to_image(kernel=5)
    before = proto.SerializeToString()
    assert not fold_output_conv_into_phases(proto)
    assert proto.SerializeToString() == before


def _depth_to_space(mode: str, channels: int = 3, h: int = 3, w: int = 5):
    graph = helper.make_graph(
        [helper.make_node("DepthToSpace", ["phases"], ["image"], blocksize=2, mode=mode)], "g",
        [helper.make_tensor_value_info("phases", TensorProto.FLOAT, [None, 4 * channels, h, w])],
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [None, channels, 2 * h, 2 * w])],
    )
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    return proto


@pytest.mark.parametrize("threads", [1, 2])
def test_depth_to_space_as_transposes_is_the_same_interleave_at_any_batch_size(threads):
    proto = _depth_to_space("DCR")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    x = np.random.default_rng(2).standard_normal((3, 12, 3, 5)).astype(np.float32)
    before = ort.InferenceSession(proto.SerializeToString(), options, providers=["CPUExecutionProvider"])
    assert depth_to_space_as_transposes(proto) == 1
    ops = op_counts(proto)
    assert "DepthToSpace" not in ops and ops == {"Reshape": 3, "Transpose": 2}
    after = ort.InferenceSession(proto.SerializeToString(), options, providers=["CPUExecutionProvider"])
    for batch in (1, 3):  # the rewrite measured shapes at batch 1; the batch axis must stay free
        np.testing.assert_array_equal(after.run(["image"], {"phases": x[:batch]})[0], before.run(["image"], {"phases": x[:batch]})[0])


def test_depth_to_space_in_crd_order_is_left_alone():
    proto = _depth_to_space("CRD")
    before = proto.SerializeToString()
    assert depth_to_space_as_transposes(proto) == 0
    assert proto.SerializeToString() == before


def test_batches_split_across_cores_give_what_one_call_gives(tmp_path):
    from artgan.models import runtime

    proto, _ = _phases_to_image(channels=2)
    path = tmp_path / "g.onnx"
    path.write_bytes(proto.SerializeToString())
    session = runtime.open_session(path, "cpu", single_threaded=True)
    x = np.random.default_rng(1).standard_normal((7, 8, 3, 4)).astype(np.float32)
    whole = session.run(["image"], {"phases": x})[0]
    for workers in (1, 2, 3, 16):  # more workers than images too
        model = runtime.LoadedModel(path=path, info=None, session=session, sha256="", workers=workers)  # type: ignore[arg-type]
        got = model.run(["image"], {"phases": x})[0]
        assert got.shape == whole.shape
        np.testing.assert_allclose(got, whole, atol=1e-6)
    single = runtime.LoadedModel(path=path, info=None, session=session, sha256="", workers=4)  # type: ignore[arg-type]
    np.testing.assert_allclose(single.run(["image"], {"phases": x[:1]})[0], whole[:1], atol=1e-6)


def _phases_then_glu(channels: int = 6, h: int = 3, w: int = 4, extra_reader: bool = False):
    """4 phase tensors [N, 2C, h, w] -> Concat -> DepthToSpace -> NHWC -> GLU -> NCHW -> Relu (tf2onnx's FastGAN block)."""
    rng = np.random.default_rng(1)
    phases = [f"p{k}" for k in range(4)]
    nodes = [
        helper.make_node("Concat", phases, ["phases"], axis=1),
        helper.make_node("DepthToSpace", ["phases"], ["hidden"], blocksize=2, mode="DCR"),
        helper.make_node("Transpose", ["hidden"], ["nhwc"], perm=[0, 2, 3, 1]),
        helper.make_node("Split", ["nhwc"], ["a", "b"], axis=-1),
        helper.make_node("Sigmoid", ["b"], ["gate"]),
        helper.make_node("Mul", ["a", "gate"], ["glu"]),
        helper.make_node("Transpose", ["glu"], ["glu_nchw"], perm=[0, 3, 1, 2]),
        helper.make_node("Relu", ["glu_nchw"], ["out"]),
    ]
    outputs = [helper.make_tensor_value_info("out", TensorProto.FLOAT, [None, channels // 2, 2 * h, 2 * w])]
    if extra_reader:  # an NHWC reader too (FastGAN's excitation multiplies the block's NHWC output)
        nodes.append(helper.make_node("Neg", ["glu"], ["negated"]))
        outputs.append(helper.make_tensor_value_info("negated", TensorProto.FLOAT, [None, 2 * h, 2 * w, channels // 2]))
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info(p, TensorProto.FLOAT, [None, channels, h, w]) for p in phases], outputs
    )
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    feeds = {p: rng.standard_normal((2, channels, h, w)).astype(np.float32) for p in phases}
    return proto, feeds


@pytest.mark.parametrize("extra_reader", [False, True])
def test_glu_after_an_interleave_runs_on_the_phases_with_the_same_numbers(extra_reader):
    proto, feeds = _phases_then_glu(extra_reader=extra_reader)
    names = [o.name for o in proto.graph.output]

    def run():
        return ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"]).run(names, feeds)

    before = run()
    assert glu_onto_phases(proto) == 1
    onnx.checker.check_model(proto)
    after = run()
    for a, b in zip(after, before):
        np.testing.assert_array_equal(a, b)
    ops = op_counts(proto)
    assert ops["Split"] == ops["Sigmoid"] == 4 and ops["DepthToSpace"] == 1
    assert ops.get("Transpose", 0) == (1 if extra_reader else 0)  # NCHW readers lose both transposes
    concat = next(n for n in proto.graph.node if n.op_type == "Concat")
    producers = {n.output[0]: n.op_type for n in proto.graph.node}
    assert [producers[name] for name in concat.input] == ["Mul"] * 4  # the GLU runs before the interleave


def test_glu_rewrite_leaves_other_interleaves_alone():
    proto, _ = _phases_to_image()
    before = proto.SerializeToString()
    assert glu_onto_phases(proto) == 0
    assert proto.SerializeToString() == before


def _identity_image(size: int = 32):
    """image_in [N, size, size, 3] -> Identity -> image: a painter whose painting is its input."""
    graph = helper.make_graph(
        [helper.make_node("Identity", ["image_in"], ["image"])], "g",
        [helper.make_tensor_value_info("image_in", TensorProto.FLOAT, [None, size, size, 3])],
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [None, size, size, 3])],
    )
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    return proto


def test_trim_frame_removes_a_painted_frame_and_enlarges_the_rest_back_to_full_size():
    from artgan.evaluation.edges import edge_contrast
    from artgan.trainer.onnx_graph import trim_frame

    size, trim = 32, 2
    ramp = np.linspace(-0.8, 0.8, size, dtype=np.float32)  # a smooth horizontal ramp, the same in every channel
    framed = np.broadcast_to(ramp[None, None, :, None], (3, size, size, 3)).copy()
    framed[:, :trim], framed[:, -trim:], framed[:, :, :trim], framed[:, :, -trim:] = 1.0, 1.0, 1.0, 1.0  # a light frame
    proto = trim_frame(_identity_image(size), trim)
    onnx.checker.check_model(proto)
    out = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"]).run(["image"], {"image_in": framed})[0]
    assert out.shape == framed.shape
    assert edge_contrast(framed) > 5 and edge_contrast(out) < 1.5 and np.max(out) < 0.9  # the frame is gone
    # a cubic through a straight line is that line: away from the clamped border the ramp is exactly enlarged
    scale = (size - 2 * trim) / size
    source_x = (np.arange(size) + 0.5) * scale - 0.5 + trim
    expected = np.interp(source_x, np.arange(size), ramp)
    np.testing.assert_allclose(out[0, size // 2, 3:-3, 0], expected[3:-3], atol=1e-5)


def test_trim_frame_refuses_what_it_cannot_do():
    from artgan.trainer.onnx_graph import trim_frame

    with pytest.raises(ValueError, match="quarter"):
        trim_frame(_identity_image(32), 5)  # 10 of 32 px
    with pytest.raises(ValueError, match="0 or more"):
        trim_frame(_identity_image(32), -1)
    with pytest.raises(ValueError, match="no output named"):
        trim_frame(_identity_image(32), 2, output="painting")
    untouched = _identity_image(32)
    assert len(trim_frame(untouched, 0).graph.node) == 1  # nothing to trim: the graph stays as it is
