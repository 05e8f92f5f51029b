"""Opening the Optuna study of a sweep: storage with heartbeat and retries, TPE, the pruner."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import optuna
from optuna.storages import RDBStorage

# Optuna 4.9 renamed the heartbeat retry callback and its storage argument; support both
RetryCallback = getattr(optuna.storages, "RetryHeartbeatStaleTrialCallback", None) or optuna.storages.RetryFailedTrialCallback
_CALLBACK_ARG = ("heartbeat_stale_trial_callback" if hasattr(optuna.storages, "RetryHeartbeatStaleTrialCallback")
                 else "failed_trial_callback")

from .spec import FIXED, STUDY_FILE, SweepError, SweepSpec

TRIAL_ATTR = "artgan_spec"  # the study remembers what a trial is, so a machine cannot join with other settings


def storage_url(folder: Path, url: str = "") -> str:
    """The URL to open: the SQLite file in the sweep folder by default; postgresql:// uses psycopg 3."""
    if not url:
        return f"sqlite:///{(folder / STUDY_FILE).resolve()}"
    for bare in ("postgresql://", "postgres://"):
        if url.startswith(bare):  # SQLAlchemy's default PostgreSQL driver is psycopg2, not installed by [sweep]
            return "postgresql+psycopg://" + url[len(bare):]
    return url


def without_password(url: str) -> str:
    """What sweep.json keeps of a URL: libpq finds the password again in PGPASSWORD or ~/.pgpass."""
    from sqlalchemy.engine import make_url

    if not url:
        return ""
    try:
        return make_url(url)._replace(password=None).render_as_string(hide_password=False)  # set() keeps None
    except Exception:  # noqa: BLE001 - an unparsable URL is reported when it is opened
        return url


def make_storage(folder: Path, spec: SweepSpec, url: str = "") -> RDBStorage:
    full = storage_url(folder, url or spec.storage)
    engine_kwargs = {"connect_args": {"timeout": 60}} if full.startswith("sqlite") else {"pool_pre_ping": True}
    retry = {_CALLBACK_ARG: retry_callback(spec)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)  # heartbeat is experimental
        try:
            return RDBStorage(
                full, engine_kwargs=engine_kwargs, heartbeat_interval=spec.heartbeat_s, grace_period=spec.grace_period_s,
                **retry,
            )
        except ModuleNotFoundError as exc:
            raise SweepError(f"the storage {without_password(full)} needs the Python module {exc.name!r}: "
                             "pip install 'artgan[sweep]'") from None
        except Exception as exc:  # noqa: BLE001 - SQLAlchemy's errors for a bad URL or an unreachable server vary
            raise SweepError(f"cannot open the study storage {without_password(full)}: {str(exc).splitlines()[0]}") from None


def retry_callback(spec: SweepSpec):
    """Queues a failed trial again with its parameters and curve; its number stays in system_attrs."""
    return RetryCallback(max_retry=spec.max_retries, inherit_intermediate_values=True)


def quiet_optuna() -> None:
    """Our own lines say what happens to each trial; heartbeat's API is marked experimental."""
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)


def make_pruner(spec: SweepSpec) -> optuna.pruners.BasePruner:
    """Rungs in training steps; the first rung is the first evaluation."""
    first = int(spec.base["eval_every"])
    if spec.pruner == "none":
        return optuna.pruners.NopPruner()
    if spec.pruner == "halving":
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=first, reduction_factor=2)
    return optuna.pruners.HyperbandPruner(min_resource=first, max_resource=spec.steps, reduction_factor=3)


def _identity(spec: SweepSpec) -> str:
    return json.dumps({name: getattr(spec, name) for name in FIXED if name != "data_dir"}, sort_keys=True)


def open_study(folder: Path, spec: SweepSpec, url: str = "", create: bool = True) -> optuna.Study:
    quiet_optuna()
    storage = make_storage(folder, spec, url)
    sampler = optuna.samplers.TPESampler(seed=spec.seed)
    if not create:
        try:
            return optuna.load_study(study_name=spec.study_name, storage=storage, sampler=sampler, pruner=make_pruner(spec))
        except KeyError:
            raise SweepError(f"the storage holds no study named {spec.study_name!r} yet: start the sweep first") from None
    study = optuna.create_study(
        study_name=spec.study_name, storage=storage, sampler=sampler, pruner=make_pruner(spec),
        direction="minimize", load_if_exists=True,
    )
    known = study.user_attrs.get(TRIAL_ATTR)
    if known is None:
        study.set_user_attr(TRIAL_ATTR, _identity(spec))
    elif known != _identity(spec):
        raise SweepError(
            f"the study {spec.study_name!r} in this storage was started with other settings ({known}); "
            "use the same --param, --steps and training options as the first machine, or another --study-name"
        )
    return study
