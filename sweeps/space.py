"""The search space: ``--param NAME=SPEC`` strings, parsed and checked without Optuna or TensorFlow.

SPEC is ``LOW..HIGH`` (a float range), ``LOW..HIGH:log`` (log scale), ``LOW..HIGH:int``
(integers; ``:int:log`` too), or ``A,B,C`` (a choice; one value fixes the setting).  NAME is
a training setting as `artgan train` spells it (``lr``, ``width``, ``r1-gamma``, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from artgan.trainer.config import TrainConfig

ALIASES = {"lr": ("lr_g", "lr_d")}  # `--lr` sets both learning rates, as in `artgan train`
NOT_TUNABLE = {"data_dir", "steps", "dataset_name", "dataset_size", "data_fingerprint", "class_names", "devices"}


class SpaceError(ValueError):
    """A --param that cannot be used; the message says how to write it."""


@dataclass(frozen=True)
class Param:
    name: str  # as the user wrote it, dashes turned to underscores
    kind: str  # float | int | choice
    low: float = 0.0
    high: float = 0.0
    log: bool = False
    choices: tuple = ()

    def suggest(self, trial: Any) -> Any:
        """The value an Optuna trial picks (or already holds, for a retried or enqueued trial)."""
        if self.kind == "choice":
            return trial.suggest_categorical(self.name, list(self.choices))
        if self.kind == "int":
            return trial.suggest_int(self.name, int(self.low), int(self.high), log=self.log)
        return trial.suggest_float(self.name, self.low, self.high, log=self.log)


def tunable_names() -> list[str]:
    names = [f.name for f in fields(TrainConfig) if f.name not in NOT_TUNABLE]
    return sorted([*names, *ALIASES])


def _number(text: str, what: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise SpaceError(f"--param {what}: {text!r} is not a number") from None


def _value(text: str) -> Any:
    """A choice as int, float, bool or string: `width=16,32` gives ints, `loss=nonsat,hinge` strings."""
    text = text.strip()
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def parse_param(text: str) -> Param:
    name, sep, spec = text.partition("=")
    name = name.strip().replace("-", "_")
    if not sep or not name or not spec.strip():
        raise SpaceError(f"--param {text!r}: write NAME=LOW..HIGH[:log][:int] or NAME=A,B,C (e.g. lr=1e-4..1e-3:log)")
    if name not in tunable_names():
        raise SpaceError(f"--param {text!r}: {name!r} is not a training setting; choose from {', '.join(tunable_names())}")
    if ".." in spec:
        bounds, *flags = spec.strip().split(":")
        unknown = [f for f in flags if f not in ("log", "int")]
        if unknown:
            raise SpaceError(f"--param {text!r}: unknown flag {unknown[0]!r} (use :log and/or :int)")
        low_text, _, high_text = bounds.partition("..")
        low, high = _number(low_text, text), _number(high_text, text)
        if not low < high:
            raise SpaceError(f"--param {text!r}: LOW must be below HIGH")
        if "log" in flags and low <= 0:
            raise SpaceError(f"--param {text!r}: a log range needs LOW > 0")
        kind = "int" if "int" in flags else "float"
        if kind == "int" and (low != int(low) or high != int(high)):
            raise SpaceError(f"--param {text!r}: an :int range needs whole numbers")
        param = Param(name, kind, low, high, log="log" in flags)
        check_values(param, [low, high])
        return param
    choices = tuple(_value(v) for v in spec.split(",") if v.strip())
    if len(set(choices)) != len(choices):
        raise SpaceError(f"--param {text!r}: a value is listed twice")
    param = Param(name, "choice", choices=choices)
    check_values(param, list(choices))
    return param


def parse_space(texts: list[str]) -> list[Param]:
    params = [parse_param(t) for t in texts]
    names = [p.name for p in params]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise SpaceError(f"--param {sorted(duplicates)[0]} is given twice")
    return params


def config_overrides(values: dict[str, Any]) -> dict[str, Any]:
    """Trial values as TrainConfig keyword arguments (``lr`` sets lr_g and lr_d)."""
    defaults = {f.name: f.default for f in fields(TrainConfig)}
    overrides: dict[str, Any] = {}
    for name, value in values.items():
        for target in ALIASES.get(name, (name,)):
            floating = isinstance(defaults.get(target), float) and isinstance(value, int) and not isinstance(value, bool)
            overrides[target] = float(value) if floating else value  # lr=0,0.002: 0 is a float here
    return overrides


def check_values(param: Param, values: list[Any]) -> None:
    """Each value must make a valid TrainConfig on its own (a size that is no power of two, ...)."""
    for value in values:
        if param.kind == "int":
            value = int(value)
        try:
            TrainConfig(data_dir=".", **config_overrides({param.name: value}))
        except (TypeError, ValueError) as exc:
            raise SpaceError(f"--param {param.name}={value!r}: {exc}") from None


def parse_assignments(text: str, params: list[Param]) -> dict[str, Any]:
    """``--try lr=0,width=8``: one fixed parameter set to run first (Optuna's enqueue_trial)."""
    known = {p.name: p for p in params}
    chosen: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in known:
            raise SpaceError(f"--try {text!r}: {name!r} is not one of the swept --param names ({', '.join(known) or 'none'})")
        param = known[name]
        parsed = _value(value)
        if param.kind == "choice" and parsed not in param.choices:
            raise SpaceError(f"--try {text!r}: {name} must be one of {', '.join(map(str, param.choices))}")
        if param.kind in ("int", "float"):
            if not isinstance(parsed, (int, float)) or not param.low <= parsed <= param.high:
                raise SpaceError(f"--try {text!r}: {name} must be a number from {param.low:g} to {param.high:g}")
            parsed = int(parsed) if param.kind == "int" else float(parsed)
        chosen[name] = parsed
    return chosen
