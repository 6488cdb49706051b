"""Per-commune risk indicators computed from ``geo.measures`` outputs (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from geo import measures
from geo.errors import LayerError
from risk.quality import zero_population_flag
from risk.rates import PER, decayed_rate


@dataclass(frozen=True)
class IndicatorSpec:
    """An indicator: its unit, the dimension it belongs to and the layer it needs."""

    name: str
    unit: str
    dimension: str
    layer: str | None
    #: Rows of ``layer`` counted (its ``category`` column); None: every row.
    category: str | None = None


INDICATORS: dict[str, IndicatorSpec] = {
    s.name: s
    for s in (
        IndicatorSpec("border_proximity", "exp(-distance/λ), 0-1", "border", "border"),
        IndicatorSpec("border_length", "km of land border", "border", "border"),
        IndicatorSpec("crossing_access", "Σ kind weight·exp(-d/λ)", "border", "crossings"),
        IndicatorSpec("venue_pressure", "weighted venues per 10,000 people", "venues", "venues"),
        IndicatorSpec(
            "industrial_area", "share of area in zones, 0-1", "industry", "industrial_zones"
        ),
        IndicatorSpec("industrial_workers", "Σ workers·exp(-d/λ)", "industry", "industrial_zones"),
        IndicatorSpec(
            "repatriation_rate",
            "people per 10,000 per year, time-weighted, smoothed",
            "repatriation",
            "repatriations",
        ),
        IndicatorSpec(
            "deported_rate",
            "people deported back per 10,000 per year, time-weighted, smoothed",
            "repatriation",
            "repatriations",
            "deported",
        ),
        IndicatorSpec(
            "victim_rate",
            "victims returned per 10,000 per year, time-weighted, smoothed",
            "repatriation",
            "repatriations",
            "victim_returned",
        ),
        IndicatorSpec(
            "vulnerability", "mean of poverty and minority shares, 0-1", "vulnerability", None
        ),
    )
}
DIMENSIONS = {name: spec.dimension for name, spec in INDICATORS.items()}
VULNERABILITY_COLUMNS = ("poverty_rate", "ethnic_minority_share")


@dataclass(frozen=True)
class Depends:
    """Layers (``population`` = people per commune) and parameters an indicator reads.

    Its cached values are keyed by the versions of exactly these (see :mod:`risk.cache`).
    """

    layers: tuple[str, ...]
    parameters: tuple[str, ...] = ()
    #: Whether it measures the commune polygons (False: it only reads their attributes).
    geometry: bool = True


DEPENDS: dict[str, Depends] = {
    "border_proximity": Depends(("communes", "border"), ("border_decay_km",)),
    "border_length": Depends(("communes", "border")),
    "crossing_access": Depends(
        ("communes", "crossings"), ("crossing_kind_weights", "crossing_decay_km")
    ),
    "venue_pressure": Depends(
        ("communes", "venues", "population"),
        ("venue_kind_weights", "venue_spill_km", "venue_spill_weight", "min_population"),
    ),
    "industrial_area": Depends(("communes", "industrial_zones")),
    "industrial_workers": Depends(("communes", "industrial_zones"), ("industrial_decay_km",)),
    "repatriation_rate": Depends(
        ("communes", "repatriations", "population"), ("half_life_years",), geometry=False
    ),
    "deported_rate": Depends(
        ("communes", "repatriations", "population"), ("half_life_years",), geometry=False
    ),
    "victim_rate": Depends(
        ("communes", "repatriations", "population"), ("half_life_years",), geometry=False
    ),
    "vulnerability": Depends(("communes",), geometry=False),
}


def decay_sum(distance_km: NDArray[np.float64], weights: ArrayLike, decay_km: float) -> NDArray:
    """Row sums of ``weights · exp(-distance / decay)`` over a communes × sites matrix."""
    w = np.asarray(weights, dtype=float)
    return (np.exp(-distance_km / decay_km) * w[None, :]).sum(axis=1)


def border_proximity(distance_km: ArrayLike, decay_km: float) -> NDArray[np.float64]:
    """exp(-distance / decay): 1 on the border, 0.37 one decay length away (0-1)."""
    return np.exp(-np.asarray(distance_km, dtype=float) / decay_km)


def per_10k(counts: ArrayLike, population: ArrayLike, min_population: float) -> NDArray:
    """``counts`` per 10,000 people, with population floored at ``min_population``."""
    pop = np.maximum(np.asarray(population, dtype=float), min_population)
    return np.asarray(counts, dtype=float) / pop * PER


def vulnerability(communes: pd.DataFrame) -> NDArray[np.float64] | None:
    """Mean of the poverty rate and ethnic-minority share present (0-1), or None if neither is."""
    present = [c for c in VULNERABILITY_COLUMNS if c in communes.columns]
    if not present:
        return None
    for column in present:
        values = pd.to_numeric(communes[column], errors="coerce")
        bad = (values.isna() | (values < 0) | (values > 1)).to_numpy()
        if bad.any():
            raise LayerError(
                "layer communes",
                f'"{communes[column].iloc[bad.argmax()]}" is not '
                "a share between 0 and 1 (write 45 % as 0.45)",
                row=int(bad.argmax()) + 1,
                column=column,
            )
    return communes[present].astype(float).mean(axis=1).to_numpy()


def available(name: str, layers: Mapping[str, pd.DataFrame], communes: pd.DataFrame) -> bool:
    """Whether indicator ``name`` can be computed from ``layers`` and the communes' columns."""
    layer = INDICATORS[name].layer
    if layer is None:
        return any(c in communes.columns for c in VULNERABILITY_COLUMNS)
    frame = layers.get(layer)
    if frame is None or frame.empty:
        return False
    return INDICATORS[name].category is None or "category" in frame.columns


def missing_notes(names: list[str]) -> list[str]:
    """Notes for indicators dropped because their layer (or columns) are missing, per layer."""
    notes = []
    for layer in dict.fromkeys(INDICATORS[n].layer for n in names):
        split = [n for n in names if INDICATORS[n].layer == layer and INDICATORS[n].category]
        if layer is None:
            notes.append("no poverty_rate or ethnic_minority_share column: dropped vulnerability")
        elif split and len(split) == sum(INDICATORS[n].layer == layer for n in names):
            notes.append(
                f"no category column (deported / victim_returned) in {layer}: "
                f"dropped {', '.join(split)}"
            )
        else:
            dropped = [s.name for s in INDICATORS.values() if s.layer == layer]
            notes.append(f"no {layer} layer: dropped {', '.join(dropped)}")
    return notes


def compute_indicator(
    name: str,
    communes: gpd.GeoDataFrame,
    layers: Mapping[str, pd.DataFrame],
    population: ArrayLike,
    params: Mapping[str, Any],
) -> tuple[NDArray[np.float64], list[str]]:
    """One indicator per commune (units in :data:`INDICATORS`) and notes on what it assumed.

    Reads only the layers and parameters :data:`DEPENDS` lists for ``name``; ``communes`` and
    the vector ``layers`` must share one metric CRS (metres).
    """
    notes: list[str] = []
    layer = INDICATORS[name].layer
    frame = communes if layer is None else layers[layer]
    pop = np.asarray(population, dtype=float)
    values = _BUILDERS[name](communes, frame, pop, params, notes)
    return np.asarray(values, dtype=float), notes


def compute_indicators(
    communes: gpd.GeoDataFrame,
    layers: Mapping[str, pd.DataFrame],
    population: ArrayLike,
    params: Mapping[str, Any],
) -> tuple[pd.DataFrame, list[str]]:
    """Every indicator the available layers allow, one row per commune, plus notes on gaps.

    ``communes`` and the vector ``layers`` must share one metric CRS (metres).
    Returns a frame indexed by ``commune_code`` and the notes (which indicators were dropped).
    """
    out: dict[str, NDArray] = {}
    present = [n for n in INDICATORS if available(n, layers, communes)]
    notes = missing_notes([n for n in INDICATORS if n not in present])
    for name in present:
        out[name], more = compute_indicator(name, communes, layers, population, params)
        notes.extend(more)
    index = pd.Index(communes["commune_code"].astype(str), name="commune_code")
    return pd.DataFrame(out, index=index), notes


def _land(border: pd.DataFrame) -> pd.DataFrame:
    return border[border["kind"].fillna("land") == "land"] if "kind" in border else border


def _border_proximity(communes, border, population, params, notes) -> NDArray:
    distance = measures.distance_to_km(communes.geometry, _land(border).geometry)
    return border_proximity(distance, params["border_decay_km"])


def _border_length(communes, border, population, params, notes) -> NDArray:
    return measures.length_inside_km(communes.geometry, _land(border).geometry)


def _crossing_access(communes, crossings, population, params, notes) -> NDArray:
    kind_weight = crossings["kind"].map(params["crossing_kind_weights"]).to_numpy(dtype=float)
    distance = measures.distance_matrix_km(communes.geometry, crossings.geometry)
    return decay_sum(distance, kind_weight, params["crossing_decay_km"])


def _venue_pressure(communes, venues, population, params, notes) -> NDArray:
    kind_weight = venues["kind"].map(params["venue_kind_weights"]).to_numpy(dtype=float)
    inside = measures.weighted_points_within(communes.geometry, venues.geometry, kind_weight)
    reach = measures.weighted_points_within(
        communes.geometry, venues.geometry, kind_weight, distance_m=params["venue_spill_km"] * 1000
    )
    return venue_pressure(inside, reach, population, params, notes)


def venue_pressure(
    inside: NDArray, reach: NDArray, population: NDArray, params: Mapping[str, Any], notes: list
) -> NDArray[np.float64]:
    """Weighted venues per 10,000 people: those inside plus a share of those within reach.

    ``inside`` and ``reach`` are kind-weighted counts inside each commune and within
    ``venue_spill_km`` of it; the ones only within reach count ``venue_spill_weight`` each.
    """
    weighted = inside + params["venue_spill_weight"] * (reach - inside)
    floored = int((population < params["min_population"]).sum())
    if floored:
        notes.append(
            f"{floored} communes have fewer than {params['min_population']:g} people: "
            "venue pressure divides by that floor instead"
        )
    return per_10k(weighted, population, params["min_population"])


def _industrial_area(communes, zones, population, params, notes) -> NDArray:
    polygons = zones[zones.geom_type.isin(["Polygon", "MultiPolygon"])]
    return measures.area_share(communes.geometry, polygons.geometry)


def _industrial_workers(communes, zones, population, params, notes) -> NDArray:
    workers = pd.to_numeric(zones.get("workers", pd.Series(np.nan, index=zones.index)))
    if workers.isna().any():
        notes.append(
            f"{int(workers.isna().sum())} industrial zones have no workers count: "
            "counted as 0 workers"
        )
    distance = measures.distance_matrix_km(communes.geometry, zones.geometry)
    return decay_sum(distance, workers.fillna(0), params["industrial_decay_km"])


def _rate_of(category: str | None):
    """Builder of the rate of the repatriation rows of ``category`` (None: every row)."""

    def build(communes, table, population, params, notes) -> NDArray:
        flag = zero_population_flag(population, communes["commune_code"])
        if flag:
            notes.append(flag)
        rows = table if category is None else table[table["category"].astype(str) == category]
        return repatriation_rate(rows, table, communes["commune_code"], population, params)

    return build


def repatriation_rate(
    rows: pd.DataFrame,
    table: pd.DataFrame,
    codes: ArrayLike,
    population: NDArray,
    params: Mapping[str, Any],
    rng: np.random.Generator | None = None,
) -> NDArray[np.float64]:
    """People in ``rows`` per 10,000 per year over the window of ``table`` (see decayed_rate).

    With ``rng``: one draw from the smoothing posterior instead of its mean.
    """
    if rows.empty:
        return np.zeros(len(np.asarray(codes)))
    window = rows
    missing = sorted(set(table["period"].astype(str)) - set(rows["period"].astype(str)))
    if missing:  # the window is the whole table's, even where this category has no row
        pad = pd.DataFrame({"commune_code": str(np.asarray(codes)[0]), "period": missing})
        window = pd.concat([window, pad.assign(count=0)], ignore_index=True)
    half_life = params["half_life_years"]
    return decayed_rate(window, codes, population, half_life_years=half_life, rng=rng)


def rate_draw(
    name: str,
    table: pd.DataFrame,
    codes: ArrayLike,
    population: NDArray,
    params: Mapping[str, Any],
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    """One posterior draw of rate indicator ``name`` (a repatriations indicator)."""
    category = INDICATORS[name].category
    rows = table if category is None else table[table["category"].astype(str) == category]
    return repatriation_rate(rows, table, codes, population, params, rng)


def _vulnerability(communes, _, population, params, notes) -> NDArray:
    return vulnerability(communes)


_BUILDERS = {
    "border_proximity": _border_proximity,
    "border_length": _border_length,
    "crossing_access": _crossing_access,
    "venue_pressure": _venue_pressure,
    "industrial_area": _industrial_area,
    "industrial_workers": _industrial_workers,
    "repatriation_rate": _rate_of(None),
    "deported_rate": _rate_of("deported"),
    "victim_rate": _rate_of("victim_returned"),
    "vulnerability": _vulnerability,
}
