"""artgan.trainer: data, networks, training loop, checkpoints and ONNX export.

The only part of artgan that imports TensorFlow.  Importing this package is
cheap; the TensorFlow-using modules (loop, networks, export) load on demand.
"""
