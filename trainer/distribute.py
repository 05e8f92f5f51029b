"""Choosing the tf.distribute strategy for ``--devices N``.

One device: TensorFlow's default strategy (no overhead).  N > 1: a
MirroredStrategy over the first N GPUs; on a machine without GPUs the CPU is
split into N logical devices instead, which is how the multi-device path is
tested here.  Splitting must happen before TensorFlow initialises its runtime,
so call :func:`make_strategy` before creating any tensor.
"""

from __future__ import annotations

import tensorflow as tf


class DeviceError(Exception):
    """--devices asks for what this machine does not have."""


def make_strategy(devices: int, batch_size: int) -> tf.distribute.Strategy:
    if devices < 1:
        raise DeviceError(f"--devices must be at least 1, not {devices}")
    if batch_size % devices:
        raise DeviceError(f"--batch-size {batch_size} must be a multiple of --devices {devices} (each device takes an equal share)")
    if devices == 1:
        return tf.distribute.get_strategy()
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        if len(gpus) < devices:
            raise DeviceError(f"--devices {devices} asks for more GPUs than this machine has ({len(gpus)}).")
        return tf.distribute.MirroredStrategy([f"/gpu:{i}" for i in range(devices)])
    cpu = tf.config.list_physical_devices("CPU")[0]
    existing = tf.config.get_logical_device_configuration(cpu)
    if existing is None:
        try:
            tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * devices)
        except RuntimeError:
            raise DeviceError(
                "could not split the CPU into logical devices: TensorFlow was already initialised in this process."
            ) from None
    elif len(existing) < devices:
        raise DeviceError(f"the CPU is already split into {len(existing)} logical devices, fewer than --devices {devices}.")
    return tf.distribute.MirroredStrategy([f"/cpu:{i}" for i in range(devices)])
