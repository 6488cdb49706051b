"""Risk profiles: indicator weights and model parameters, loaded and checked from YAML."""

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
        "winsor_upper": 0.98,
    }
)


@dataclass(frozen=True)
class Profile:
    """A named weighting of indicators (weights sum to 1) plus the model's parameters."""

    name: str
    weights: Mapping[str, float]
    parameters: Mapping[str, Any] = field(default_factory=lambda: dict(DEFAULT_PARAMETERS))
    title: Mapping[str, str] = field(default_factory=dict)
    rationale: str = ""

    def weights_hash(self) -> str:
        """Short hash of weights and parameters: equal hashes mean equal models."""
        blob = json.dumps({"w": dict(self.weights), "p": dict(self.parameters)}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]

    def with_weights(self, weights: Mapping[str, float]) -> Profile:
        """The same profile with other weights, checked like a profile file."""
        data = {
            "name": self.name,
            "weights": dict(weights),
            "parameters": dict(self.parameters),
            "title": dict(self.title),
            "rationale": self.rationale,
        }
        return profile_from_dict(data, source=f"custom weights for {self.name}")


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
    unknown = set(data) - {"name", "title", "rationale", "weights", "parameters"}
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
        rationale=str(data.get("rationale") or "").strip(),
    )


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
        if isinstance(params[key], dict):
            params[key] = {**params[key], **_kind_weights(key, value, source)}
        else:
            params[key] = _positive(f"parameters.{key}", value, source)
    if not 0.5 <= params["winsor_upper"] <= 1.0:
        raise ProfileError(f"{source}: parameters.winsor_upper must lie in 0.5-1")
    return params


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
