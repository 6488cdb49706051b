"""Risk profiles: indicator weights and model parameters, loaded and checked from YAML.

:func:`profile_from_dict` is the pure core (a mapping in, a checked :class:`Profile` out);
:func:`load_profile`, :func:`load_weights` and :func:`list_profiles` are the thin adapters that
read the YAML files.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from geo.schema import CROSSING_KINDS, VENUE_KINDS
from risk.errors import ProfileError, UnknownProfileError
from risk.indicators import INDICATORS

#: Committed profiles shipped with riskmap.
PROFILES_DIR = Path(__file__).resolve().parents[1] / "data" / "profiles"
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")

DEFAULT_PARAMETERS: Mapping[str, Any] = MappingProxyType(
    {
        "border_decay_km": 15.0,
        "crossing_decay_km": 10.0,
        "crossing_kind_weights": {
            "international": 1.0,
            "main": 0.8,
            "secondary": 0.6,
            "opening": 1.0,
            "trail": 1.2,
            "seaport": 0.8,
        },
        "venue_kind_weights": {
            "karaoke": 1.0,
            "massage": 1.0,
            "guesthouse": 0.8,
            "hotel": 0.5,
            "homestay": 0.6,
            "bar": 0.8,
            "cafe": 0.3,
            "other": 0.3,
        },
        "venue_spill_km": 2.0,
        "venue_spill_weight": 0.5,
        "industrial_decay_km": 10.0,
        "half_life_years": 2.0,
        "min_population": 1000.0,
        "outliers": "coinr",
        "winsor_max_points": 5,
        "normalisation": "minmax",
        "aggregation": "arithmetic",
        "classification": "quantile",
        "top_k": 10,
        "sensitivity_draws": 1000,
        "sensitivity_concentration": 100.0,
    }
)
#: Parameters that name a method: the choices allowed.
CHOICES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "outliers": ("coinr", "none"),
        "normalisation": ("minmax", "rank", "zscore"),
        "aggregation": ("arithmetic", "geometric"),
        "classification": ("quantile", "natural_breaks"),
    }
)
#: Parameters that count things: whole numbers >= 1 (``winsor_max_points`` >= 0).
COUNTS = ("winsor_max_points", "top_k", "sensitivity_draws")
#: Parameters that only change how scores are combined, not the indicator values.
METHOD_PARAMETERS = (*CHOICES, *COUNTS, "sensitivity_concentration")


@dataclass(frozen=True)
class Profile:
    """A named weighting of indicators (weights sum to 1) plus the model's parameters."""

    name: str
    weights: Mapping[str, float]
    parameters: Mapping[str, Any] = field(default_factory=lambda: dict(DEFAULT_PARAMETERS))
    title: Mapping[str, str] = field(default_factory=dict)
    #: Why the profile weighs what it does, per language: {"vi": ..., "en": ...}.
    rationale: Mapping[str, str] = field(default_factory=dict)
    #: Why each weight is what it is: indicator → {"vi": ..., "en": ...}.
    weight_rationale: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def rationale_in(self, lang: str = "vi") -> str:
        """The rationale in ``lang``, else in the other language, else ""."""
        return self.rationale.get(lang) or next(iter(self.rationale.values()), "")

    def model_hash(self) -> str:
        """Short hash of weights and parameters: equal hashes mean equal models.

        Runs store it as ``weights_hash`` (the record key older runs were written with).
        """
        blob = json.dumps({"w": dict(self.weights), "p": dict(self.parameters)}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]

    def with_weights(self, weights: Mapping[str, object], *, source: str = "") -> Profile:
        """The same profile with other weights, checked like a profile file (named ``source``)."""
        data = {
            "name": self.name,
            "weights": dict(weights),
            "parameters": dict(self.parameters),
            "title": dict(self.title),
            "rationale": dict(self.rationale),
            "weight_rationale": dict(self.weight_rationale),
        }
        return profile_from_dict(data, source=source or f"custom weights for {self.name}")

    def with_settings(self, settings: Mapping[str, object], *, source: str = "--set") -> Profile:
        """The profile with some weights and parameters changed, checked like a profile file.

        Named weights take the values given; the other weights are rescaled in proportion so
        that all still sum to 1. Other names must be model parameters.
        """
        unknown = [k for k in settings if k not in INDICATORS and k not in self.parameters]
        if unknown:
            raise ProfileError(
                f"{source}: {unknown[0]} is neither an indicator ({', '.join(INDICATORS)}) "
                f"nor a model parameter ({', '.join(self.parameters)})"
            )
        named = {k: v for k, v in settings.items() if k in INDICATORS}
        weights = _rescaled(dict(self.weights), named)
        params = {**self.parameters, **{k: v for k, v in settings.items() if k not in named}}
        data = {"name": self.name, "weights": weights, "parameters": params}
        data.update(title=dict(self.title), rationale=dict(self.rationale))
        data.update(weight_rationale=dict(self.weight_rationale))
        return profile_from_dict(data, source=source)


def _rescaled(weights: dict[str, float], named: Mapping[str, object]) -> dict[str, object]:
    """``weights`` with ``named`` ones replaced and the others scaled to fill the rest of 1."""
    if not named or not all(isinstance(v, int | float) for v in named.values()):
        return {**weights, **named}
    free = 1.0 - sum(float(v) for v in named.values())  # type: ignore[arg-type]
    rest = {k: w for k, w in weights.items() if k not in named}
    total = sum(rest.values())
    if free >= 0 and total > 0:
        rest = {k: w * free / total for k, w in rest.items()}
    merged = {**rest, **named}
    return {k: merged[k] for k in [*weights, *(k for k in named if k not in weights)]}


def parse_settings(text: str) -> dict[str, object]:
    """``"border_proximity=0.5,normalisation=rank"`` → ``{name: value}`` (values parsed as YAML)."""
    settings: dict[str, object] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise ProfileError(f'--set: "{part}" is not of the form name=value')
        try:
            settings[name.strip()] = yaml.safe_load(value.strip())
        except yaml.YAMLError:
            settings[name.strip()] = value.strip()
    if not settings:
        raise ProfileError("--set: no name=value given")
    return settings


def load_weights(path: str | Path) -> dict[str, object]:
    """Weights from a YAML or JSON file: a mapping ``indicator: weight`` or ``weights: {...}``."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise ProfileError(f"{path.name}: cannot read weights: {_one_line(err)}") from None
    if isinstance(data, dict) and isinstance(data.get("weights"), dict):
        data = data["weights"]
    if not isinstance(data, dict):
        raise ProfileError(f"{path.name}: expected a mapping of indicator names to weights")
    return data


def list_profiles(directory: Path = PROFILES_DIR) -> list[str]:
    """Names of the profiles stored in ``directory``, sorted."""
    return sorted(p.stem for p in directory.glob("*.yaml"))


def load_profile(name_or_path: str | Path, directory: Path = PROFILES_DIR) -> Profile:
    """Load a profile by name (from ``directory``) or from a YAML file path."""
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        if not _NAME.fullmatch(str(name_or_path)) or not (directory / f"{path}.yaml").is_file():
            known = ", ".join(list_profiles(directory))
            raise UnknownProfileError(f'profile "{name_or_path}" does not exist (known: {known})')
        path = directory / f"{path}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise ProfileError(f"{path.name}: cannot read profile: {_one_line(err)}") from None
    return profile_from_dict(data, source=path.name)


def profile_from_dict(data: object, *, source: str) -> Profile:
    """Build a :class:`Profile` from parsed YAML, naming ``source`` and the key on any error."""
    if not isinstance(data, dict):
        raise ProfileError(f"{source}: a profile is a mapping with keys name, weights, ...")
    unknown = set(data) - {
        "name",
        "title",
        "rationale",
        "weights",
        "parameters",
        "weight_rationale",
    }
    if unknown:
        raise ProfileError(f'{source}: unknown key "{sorted(unknown)[0]}"')
    name = data.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ProfileError(f'{source}: key "name" must be a short lowercase name, got {name!r}')
    return Profile(
        name=name,
        weights=_weights(data.get("weights"), source),
        parameters=_parameters(data.get("parameters") or {}, source),
        title=dict(data.get("title") or {}),
        rationale=_rationale(data.get("rationale"), source),
        weight_rationale=_weight_rationale(data.get("weight_rationale") or {}, source),
    )


def _rationale(raw: object, source: str) -> dict[str, str]:
    """``{"vi": text, "en": text}``; one text (older profiles) stands for both languages."""
    if raw is None or isinstance(raw, str):
        text = (raw or "").strip()
        return {"vi": text, "en": text} if text else {}
    ok = isinstance(raw, dict) and set(raw) <= {"vi", "en"}
    if not ok or not all(isinstance(t, str) and t.strip() for t in raw.values()):
        raise ProfileError(
            f'{source}: key "rationale" must be a text, or texts under "vi" and "en", '
            f"got {raw!r:.80}"
        )
    return {lang: text.strip() for lang, text in raw.items()}


def _weight_rationale(raw: object, source: str) -> dict[str, dict[str, str]]:
    """``{indicator: {"vi": text, "en": text}}``, checked: both languages, known indicators."""
    if not isinstance(raw, dict):
        raise ProfileError(f'{source}: key "weight_rationale" must map indicators to {{vi, en}}')
    out = {}
    for key, text in raw.items():
        ok = isinstance(text, dict) and all(isinstance(text.get(k), str) for k in ("vi", "en"))
        if key not in INDICATORS or not ok:
            raise ProfileError(
                f"{source}: weight_rationale.{key} must be a known indicator with vi and en text"
            )
        out[str(key)] = {"vi": text["vi"].strip(), "en": text["en"].strip()}
    return out


def _weights(raw: object, source: str) -> dict[str, float]:
    if not isinstance(raw, dict) or not raw:
        raise ProfileError(f'{source}: key "weights" must map indicator names to numbers')
    weights = {}
    for key, value in raw.items():
        if key not in INDICATORS:
            raise ProfileError(
                f"{source}: weights.{key} is not an indicator (known: {', '.join(INDICATORS)})"
            )
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value < 0
        ):
            raise ProfileError(f"{source}: weights.{key} is {value!r}, expected a number >= 0")
        weights[key] = float(value)
    total = sum(weights.values())
    if not math.isclose(total, 1.0, abs_tol=1e-6):
        raise ProfileError(f"{source}: weights sum to {total:g}, expected 1")
    return weights


def _parameters(raw: object, source: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ProfileError(f'{source}: key "parameters" must be a mapping')
    params = {k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULT_PARAMETERS.items()}
    for key, value in raw.items():
        if key not in params:
            raise ProfileError(
                f"{source}: parameters.{key} is not a model parameter (known: {', '.join(params)})"
            )
        params[key] = _parameter(key, value, params[key], source)
    return params


def _parameter(key: str, value: object, default: object, source: str) -> object:
    """One checked parameter value (``default`` tells its kind)."""
    if isinstance(default, dict):
        return {**default, **_kind_weights(key, value, source)}
    if key in CHOICES:
        if value not in CHOICES[key]:
            raise ProfileError(
                f"{source}: parameters.{key} is {value!r}, expected one of "
                f"{', '.join(CHOICES[key])}"
            )
        return value
    if key in COUNTS:
        least = 0 if key == "winsor_max_points" else 1
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ProfileError(
                f"{source}: parameters.{key} is {value!r}, expected a whole number >= {least}"
            )
        return value
    return _positive(f"parameters.{key}", value, source)


def _kind_weights(key: str, value: object, source: str) -> dict[str, float]:
    kinds = CROSSING_KINDS if key.startswith("crossing") else VENUE_KINDS
    if not isinstance(value, dict):
        raise ProfileError(f"{source}: parameters.{key} must map kinds to numbers")
    for kind in value:
        if kind not in kinds:
            raise ProfileError(
                f"{source}: parameters.{key}.{kind} is not one of {', '.join(kinds)}"
            )
    return {
        k: _positive(f"parameters.{key}.{k}", v, source, allow_zero=True) for k, v in value.items()
    }


def _positive(key: str, value: object, source: str, *, allow_zero: bool = False) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0 or (value == 0 and not allow_zero):
        raise ProfileError(
            f"{source}: {key} is {value!r}, expected a number {'>= 0' if allow_zero else '> 0'}"
        )
    return float(value)


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split())
