import json

import numpy as np
import pytest

pytest.importorskip("tensorflow")

from artgan.models.runtime import load_model  # noqa: E402
from artgan.trainer.config import TrainConfig  # noqa: E402
from artgan.trainer.export import load_trained  # noqa: E402


def test_onnx_painter_matches_keras_ema_generator(exported, trained_run):
    assert exported.painter_max_diff < 1e-4 and exported.critic_max_diff < 1e-4
    _, gan = load_trained(trained_run)
    z = np.random.default_rng(3).standard_normal((5, 16)).astype(np.float32)
    painter = load_model(exported.painter, device="cpu")
    onnx_out = painter.run(["image"], {"z": z})[0]  # split across cores, as paint runs it
    keras_out = gan.ema_generator(z, training=False).numpy()
    assert onnx_out.shape == (5, 16, 16, 3)
    assert np.max(np.abs(onnx_out - keras_out)) < 1e-4
    assert onnx_out.min() >= -1 and onnx_out.max() <= 1


def test_batch_axis_is_dynamic(exported):
    painter = load_model(exported.painter, device="cpu")
    for n in (1, 7):
        z = np.zeros((n, 16), np.float32)
        assert painter.session.run(["image"], {"z": z})[0].shape[0] == n


def test_metadata_describes_the_run(exported, trained_run):
    config = TrainConfig.load(trained_run / "config.json")
    info = load_model(exported.painter, device="cpu").info
    assert (info.kind, info.latent_dim, info.resolution, info.steps) == ("painter", 16, 16, 12)
    assert info.dataset_name == config.dataset_name and info.dataset_size == 24
    assert info.created and info.training_config["batch_size"] == 8
    critic = load_model(exported.critic, device="cpu")
    assert critic.info.kind == "critic"
    scores = critic.session.run(["score"], {"image": np.zeros((3, 16, 16, 3), np.float32)})[0]
    assert scores.shape == (3,)


def test_export_of_an_older_step(trained_run, tmp_path):
    from artgan.trainer.export import export_run

    result = export_run(trained_run, tmp_path / "old.onnx", step=6)
    assert result.step == 6 and load_model(result.painter).info.steps == 6


def test_export_errors_are_clear(cli, tmp_path):
    result = cli("export", tmp_path)
    assert result.exit_code == 1 and "not an artgan run" in result.stderr
    (tmp_path / "config.json").write_text(json.dumps({"data_dir": "x", "size": 16}))
    result = cli("export", tmp_path)
    assert result.exit_code == 1 and "no readable checkpoint" in result.stderr


def _ops(path):
    import onnx

    from artgan.trainer.onnx_graph import op_counts

    return op_counts(onnx.load(str(path)))


def test_fastgan_painter_exports_to_plain_onnx_with_its_upsamplings_folded(exported):
    ops = _ops(exported.painter)
    # GLU = Split + Sigmoid + Mul; skip-layer excitation = Conv + Sigmoid + Mul (its 4x4 pool is a no-op at 16 px);
    # the blur after each upsampling conv = a reflect Pad + a depthwise Conv
    assert set(ops) <= {"Conv", "Split", "Sigmoid", "Mul", "Transpose", "Reshape", "Concat", "MatMul", "Tanh", "Slice",
                        "AveragePool", "Add", "Pad"}
    assert "Resize" not in ops and "DepthToSpace" not in ops  # every nearest x2 + 3x3 conv became phase convs
    assert exported.painter_ops == ops
    import onnx
    from onnx import helper

    graph = onnx.load(str(exported.painter)).graph
    consumers = {name: node for node in graph.node for name in node.input}
    glus = [node for node in graph.node if node.op_type == "Split"]
    pads = [node for node in graph.node if node.op_type == "Pad"]
    # one blur per up block (every GLU but the 4x4 stem's): a reflect Pad read by a depthwise Conv
    assert len(pads) == len(glus) - 1
    for pad in pads:
        assert {a.name: helper.get_attribute_value(a) for a in pad.attribute}["mode"] == b"reflect"
        conv = consumers[pad.output[0]]
        assert conv.op_type == "Conv" and {a.name: helper.get_attribute_value(a) for a in conv.attribute}["group"] > 1


def test_dcgan_painter_graph_folds_upsampling_into_its_convolutions_and_stays_nchw(tmp_path):
    from artgan.trainer.export import export_networks
    from artgan.trainer.networks import build_discriminator, build_generator

    generator, critic = build_generator(16, 16, 8, 256), build_discriminator(16, 8, 256, 0.3)
    exported = export_networks(generator, critic, tmp_path / "dcgan.onnx", dict(latent_dim=16, resolution=16))
    ops = _ops(exported.painter)
    # 4 -> 8 -> 16 px, each a phase conv; only the 8 px phases are interleaved (by two transposes, no
    # DepthToSpace): the RGB conv reads the 16 px ones
    assert "DepthToSpace" not in ops and "Resize" not in ops and ops.get("Slice") == 1
    assert not {"Tile", "Shape", "Cast", "Unsqueeze"} & set(ops)  # no Repeat chains, no runtime shape arithmetic
    # NHWC -> NCHW after the Dense layer, the 8 px interleave's two, and interleave + back before the output
    assert ops.get("Transpose", 0) == 4
    assert exported.painter_ops == ops


def test_graph_clean_up_keeps_what_it_cannot_fold(tmp_path):
    """Resize + 3x3 conv folds; a conv with another kernel after a Resize keeps its Resize, same output."""
    import keras
    from artgan.trainer.export import export_networks
    from keras import layers

    keras.utils.set_random_seed(1)
    z = keras.Input((6,))
    x = layers.Reshape((4, 4, 2))(layers.Dense(32)(z))
    x = layers.Conv2D(4, 3, padding="same", activation="relu")(layers.UpSampling2D()(x))
    x = layers.Conv2D(3, 5, padding="same", activation="tanh")(layers.UpSampling2D()(x))
    generator = keras.Model(z, x)
    image = keras.Input((16, 16, 3))
    critic = keras.Model(image, layers.Dense(1)(layers.Flatten()(image)))
    result = export_networks(generator, critic, tmp_path / "g.onnx", dict(latent_dim=6, resolution=16))
    ops = _ops(result.painter)
    assert "DepthToSpace" not in ops and ops.get("Resize") == 1 and result.painter_max_diff < 1e-5


def test_export_cli_fp16_writes_a_checked_half_precision_pair(cli, trained_run, tmp_path):
    result = cli("export", trained_run, "--out", tmp_path / "tiny.onnx", "--fp16", "--credits", "me, 2026", "--license", "CC0")
    assert result.exit_code == 0, result.output
    assert "fp16:" in result.stdout
    half = load_model(tmp_path / "tiny.fp16.onnx", device="cpu")
    full = load_model(tmp_path / "tiny.onnx", device="cpu")
    assert (half.info.precision, full.info.precision) == ("float16", "float32")
    assert (full.info.credits, full.info.license) == ("me, 2026", "CC0") and half.info.credits == "me, 2026"
    assert load_model(tmp_path / "tiny.fp16.critic.onnx", device="cpu").info.kind == "critic"
    assert (tmp_path / "tiny.fp16.onnx").stat().st_size < 0.7 * (tmp_path / "tiny.onnx").stat().st_size
    z = np.random.default_rng(1).standard_normal((4, 16)).astype(np.float32)
    a, b = (m.session.run(["image"], {"z": z})[0] for m in (half, full))
    assert a.dtype == np.float32 and np.max(np.abs(a - b)) < 0.05


def test_export_cli_compact_halves_the_file_and_paints_the_same(cli, trained_run, tmp_path):
    import onnx

    for name, extra in (("full", []), ("compact", ["--compact"])):
        result = cli("export", trained_run, "--out", tmp_path / f"{name}.onnx", *extra)
        assert result.exit_code == 0, result.output
    full, compact = (load_model(tmp_path / f"{name}.onnx", device="cpu") for name in ("full", "compact"))
    assert (full.info.weights, compact.info.weights) == ("float32", "float16")
    assert compact.info.precision == "float32"  # the arithmetic is not changed, only the storage
    sizes = {name: (tmp_path / f"{name}.onnx").stat().st_size for name in ("full", "compact")}
    big_weights_bytes = sum(  # the float32 weights --compact halves; the rest (graph, metadata) stays as it is
        init.ByteSize() for init in onnx.load(str(tmp_path / "full.onnx")).graph.initializer if np.prod(init.dims) >= 1024
    )
    assert sizes["full"] - sizes["compact"] > 0.45 * big_weights_bytes > 0.3 * sizes["full"]
    critic_big_bytes = sum(
        init.ByteSize() for init in onnx.load(str(tmp_path / "full.critic.onnx")).graph.initializer if np.prod(init.dims) >= 1024
    )  # the tiny 16 px fastgan critic may have none: then --compact leaves it as it is
    critic_saved = (tmp_path / "full.critic.onnx").stat().st_size - (tmp_path / "compact.critic.onnx").stat().st_size
    if critic_big_bytes:
        assert critic_saved >= 0.45 * critic_big_bytes
    else:  # nothing to halve: only the metadata differs (a few bytes either way), never the weights
        assert abs(critic_saved) < 64
    weights = [init for init in onnx.load(str(tmp_path / "compact.onnx")).graph.initializer if np.prod(init.dims) >= 1024]
    assert weights and {init.data_type for init in weights} == {onnx.TensorProto.FLOAT16}
    z = np.random.default_rng(2).standard_normal((6, 16)).astype(np.float32)
    a, b = (m.run(["image"], {"z": z})[0] for m in (full, compact))
    assert b.dtype == np.float32 and 0 < np.max(np.abs(a - b)) < 1e-2


def test_export_refuses_to_write_what_disagrees_with_keras(trained_run, tmp_path, monkeypatch):
    from artgan.trainer import export
    from artgan.trainer.loop import TrainingError

    monkeypatch.setattr(export, "PARITY_TOLERANCE", -1.0)
    with pytest.raises(TrainingError, match="disagrees with Keras"):
        export.export_run(trained_run, tmp_path / "bad.onnx")
    assert not list(tmp_path.iterdir())


CLASSES = ["cliffs", "dunes", "sea"]


@pytest.fixture(scope="module")
def conditional_painter(tmp_path_factory):
    """A tiny class-conditional painter and critic (z + int label), exported through export_networks."""
    import keras
    from artgan.trainer.export import export_networks
    from keras import layers

    keras.utils.set_random_seed(0)
    z, label = keras.Input((8,), name="z"), keras.Input((), dtype="int64", name="label")
    x = layers.Concatenate()([z, layers.Embedding(len(CLASSES), 4)(label)])
    x = layers.Reshape((4, 4, 4))(layers.Dense(4 * 4 * 4, activation="relu")(x))
    for _ in range(2):
        x = layers.Conv2D(8, 3, padding="same", activation="relu")(layers.UpSampling2D()(x))
    generator = keras.Model([z, label], layers.Conv2D(3, 3, padding="same", activation="tanh")(x))
    image, d_label = keras.Input((16, 16, 3)), keras.Input((), dtype="int64")
    h = layers.Flatten()(layers.Conv2D(4, 4, strides=4)(image))
    h = layers.Concatenate()([h, layers.Embedding(len(CLASSES), 4)(d_label)])
    discriminator = keras.Model([image, d_label], layers.Dense(1)(h))
    out = tmp_path_factory.mktemp("conditional") / "cond.onnx"
    meta = dict(latent_dim=8, resolution=16, class_names=CLASSES, dataset_name="three-classes")
    result = export_networks(generator, discriminator, out, meta)
    return result, generator


def test_conditional_painter_has_a_label_input_and_class_names(conditional_painter):
    result, generator = conditional_painter
    painter = load_model(result.painter, device="cpu")
    assert painter.info.class_names == tuple(CLASSES)
    assert {i.name: i.type for i in painter.session.get_inputs()} == {"z": "tensor(float)", "label": "tensor(int64)"}
    z = np.random.default_rng(0).standard_normal((3, 8)).astype(np.float32)
    labels = np.array([0, 1, 2], np.int64)
    got = painter.session.run(["image"], {"z": z, "label": labels})[0]
    assert np.max(np.abs(got - generator([z, labels], training=False).numpy())) < 1e-4
    critic = load_model(result.critic, device="cpu")
    assert critic.session.run(["score"], {"image": got, "label": labels})[0].shape == (3,)


def test_paint_class_picks_the_label(cli, conditional_painter, tmp_path):
    from artgan.painter.provenance import read_provenance
    from PIL import Image

    painter = conditional_painter[0].painter
    paths = {}
    for name in ("dunes", "sea"):
        result = cli("paint", "-m", painter, "--n", "1", "--seed", "3", "--class", name, "--upscale", "1", "--out", tmp_path)
        assert result.exit_code == 0, result.stderr
        paths[name] = result.stdout.split()[0]
        assert f"-{name}-s3-0000.png" in paths[name]
        assert read_provenance(tmp_path / paths[name].split("/")[-1]).class_name == name
    dunes, sea = (np.asarray(Image.open(paths[k])) for k in ("dunes", "sea"))
    assert not np.array_equal(dunes, sea)  # same z, other class
    again = cli("paint", "--from-file", paths["sea"], "--model", painter, "--out", tmp_path / "again")
    assert again.exit_code == 0 and np.array_equal(np.asarray(Image.open(again.stdout.split()[0])), sea)
    wrong = cli("paint", "-m", painter, "--n", "1", "--class", "forest", "--out", tmp_path / "o")
    assert wrong.exit_code == 1 and "no class 'forest'" in wrong.stderr and "cliffs, dunes, sea" in wrong.stderr
    walk = cli("paint", "-m", painter, "--walk", "2", "--frames", "2", "--class", "sea", "--out", tmp_path / "w")
    assert walk.exit_code == 0, walk.stderr


def test_a_label_input_without_class_names_is_refused(conditional_painter, tmp_path):
    import onnx
    from artgan.models import ModelError

    proto = onnx.load(str(conditional_painter[0].painter))
    for entry in proto.metadata_props:
        if entry.key == "artgan.class_names":
            entry.value = "[]"
    onnx.save(proto, str(tmp_path / "inconsistent.onnx"))
    with pytest.raises(ModelError, match="'label' input but its metadata lists no class names"):
        load_model(tmp_path / "inconsistent.onnx")


def test_export_trim_frame_trims_inside_the_painter_and_says_so(cli, trained_run, tmp_path):
    from artgan.trainer.export import trimmed_reference

    for name, extra in (("plain", []), ("trimmed", ["--trim-frame", "2"])):
        result = cli("export", trained_run, "--out", tmp_path / f"{name}.onnx", *extra)
        assert result.exit_code == 0, result.output
    plain, trimmed = (load_model(tmp_path / f"{name}.onnx", device="cpu") for name in ("plain", "trimmed"))
    assert (plain.info.frame_trim, trimmed.info.frame_trim) == (0, 2)
    z = np.random.default_rng(3).standard_normal((5, 16)).astype(np.float32)
    a, b = (m.run(["image"], {"z": z})[0] for m in (plain, trimmed))
    assert b.shape == a.shape == (5, 16, 16, 3)
    assert np.max(np.abs(a - b)) > 1e-2  # the painting changed ...
    np.testing.assert_allclose(b, trimmed_reference(a, 2), atol=1e-3)  # ... into the inner 12 px, enlarged to 16
    images = np.clip(np.random.default_rng(4).standard_normal((3, 16, 16, 3)), -1, 1).astype(np.float32)
    scores = [load_model(tmp_path / f"{name}.critic.onnx", device="cpu").run(["score"], {"image": images})[0]
              for name in ("plain", "trimmed")]
    np.testing.assert_allclose(*scores, atol=1e-6)  # the critic judges paintings as before


def test_export_refuses_a_trim_too_large_for_the_painting_and_writes_nothing(cli, trained_run, tmp_path):
    result = cli("export", trained_run, "--out", tmp_path / "out" / "big.onnx", "--trim-frame", "3")
    assert result.exit_code != 0
    assert "--trim-frame 3" in result.output and "quarter" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
