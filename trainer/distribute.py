"""Choosing the tf.distribute strategy for ``--devices N``.

One device: TensorFlow's default strategy (no overhead).  N > 1: a
MirroredStrategy over the first N GPUs; on a machine without GPUs the CPU is
split into N logical devices instead, which is how the multi-device path is
tested here.  Splitting must happen before TensorFlow initialises its runtime,
so call :func:`make_strategy` before creating any tensor.

Several machines (``--workers host:port,... --worker-index I`` or ``TF_CONFIG``): a
MultiWorkerMirroredStrategy.  Every worker builds the same global batch (a function of seed
and step) and trains on its slice; gradients are summed over all replicas, so the losses are
those of one process with the same global batch.  Worker 0 (the chief) alone writes the run;
it alone reads the checkpoint on --resume and broadcasts it.  Collectives time out, so a
dead worker stops the others with an error instead of a hang.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

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


# --- several machines: MultiWorkerMirroredStrategy -------------------------------------------

WORKER_ERRORS = (
    tf.errors.UnavailableError, tf.errors.DeadlineExceededError, tf.errors.CancelledError,
    tf.errors.AbortedError, tf.errors.InternalError, tf.errors.FailedPreconditionError, tf.errors.UnknownError,
)  # what a collective raises when a peer is gone: the coordination service's missing heartbeat, a
#    refused connection or the collective timeout (which one depends on where the step was)


@dataclass
class Cluster:
    """This process's place in a multi-worker run (TensorFlow's TF_CONFIG)."""

    workers: list[str]
    index: int

    @property
    def chief(self) -> bool:  # worker 0 writes; the others train in lockstep and keep nothing
        return self.index == 0

    def tf_config(self) -> str:
        return json.dumps({"cluster": {"worker": self.workers}, "task": {"type": "worker", "index": self.index}})


def cluster_from(workers: str | None, index: int | None, environ: dict[str, str] | None = None) -> Cluster | None:
    """--workers host:port,... --worker-index I, or TF_CONFIG from the environment; None for one process."""
    environ = os.environ if environ is None else environ
    if workers:
        hosts = [h.strip() for h in workers.split(",") if h.strip()]
        for host in hosts:
            name, _, port = host.rpartition(":")
            if not name or not port.isdigit():
                raise DeviceError(f"--workers takes host:port,host:port,... ; {host!r} has no port")
        if len(set(hosts)) != len(hosts):
            raise DeviceError("--workers lists the same host:port twice")
        if index is None or not 0 <= index < len(hosts):
            raise DeviceError(f"--worker-index must be given, from 0 to {len(hosts) - 1} (0 is the chief, which writes the run)")
        return Cluster(hosts, index) if len(hosts) > 1 else None
    if index is not None:
        raise DeviceError("--worker-index needs --workers host:port,host:port,...")
    raw = environ.get("TF_CONFIG", "")
    if not raw:
        return None
    try:
        config = json.loads(raw)
        cluster, task = config["cluster"], config["task"]
        hosts = list(cluster.get("chief", [])) + list(cluster["worker"])
        position = int(task["index"]) + (len(cluster.get("chief", [])) if task["type"] == "worker" else 0)
        if task["type"] not in ("chief", "worker"):
            raise ValueError(f"task type {task['type']!r} (artgan runs chief and worker tasks only)")
    except (ValueError, KeyError, TypeError) as exc:
        raise DeviceError(f"TF_CONFIG is not a TensorFlow cluster description ({exc}); see the README's 'Many machines'") from None
    return Cluster(hosts, position) if len(hosts) > 1 else None


def make_multi_worker_strategy(cluster: Cluster, batch_size: int, timeout_s: int) -> tf.distribute.Strategy:
    """Must run before TensorFlow's runtime starts; a collective waiting longer than timeout_s fails."""
    if batch_size % len(cluster.workers):
        raise DeviceError(f"--batch-size {batch_size} must be a multiple of the {len(cluster.workers)} workers")
    os.environ["TF_CONFIG"] = cluster.tf_config()
    options = tf.distribute.experimental.CommunicationOptions(
        implementation=tf.distribute.experimental.CommunicationImplementation.RING, timeout_seconds=timeout_s,
    )
    try:
        return tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
    except (RuntimeError, ValueError, tf.errors.OpError) as exc:
        raise DeviceError(f"could not join the workers {', '.join(cluster.workers)}: {str(exc).splitlines()[0]}") from None


def is_multi_worker(strategy: tf.distribute.Strategy) -> bool:
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)


def broadcast_from_chief(strategy: tf.distribute.Strategy, variables: list, step: int) -> int:
    """Give every worker the chief's variables and step (the chief alone read the checkpoint)."""
    if not is_multi_worker(strategy):
        return step
    step_var = tf.Variable(float(step), dtype=tf.float64, trainable=False)  # float64: exact for any step count
    every = [*variables, step_var]

    def chief_values():
        chief = tf.equal(tf.distribute.get_replica_context().replica_id_in_sync_group, 0)
        # integer states (seed generators) travel as float64: exact, and every collective sums floats
        values = [tf.convert_to_tensor(v) for v in every]
        values = [value if value.dtype.is_floating else tf.cast(value, tf.float64) for value in values]
        return [tf.where(chief, value, tf.zeros_like(value)) for value in values]

    @tf.function
    def sync():
        values = strategy.run(chief_values)  # a sum with zeros everywhere but the chief
        for variable, value in zip(every, values):
            total = strategy.reduce(tf.distribute.ReduceOp.SUM, value, axis=None)
            variable.assign(tf.cast(total, tf.as_dtype(variable.dtype)))

    sync()
    return int(step_var.numpy())
