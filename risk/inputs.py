"""Model inputs of a workspace: indicators, population, neighbours, each cached on its own.

:func:`read_inputs` reads the layers a score needs and computes what :mod:`risk.cache` does
not already hold for the current layer versions and parameters; :func:`cached_inputs` keeps
the assembled inputs in memory so that re-scoring with new weights touches no file.

This is the adapter between the workspace and the pure cores (:mod:`risk.indicators`,
:mod:`geo.zonal`, :mod:`geo.measures`): it reads layers and the population raster, and
persists derived values only through :class:`risk.cache.IndicatorCache`.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import logging
import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import to_metric
from geo.limits import BYTES_PER_POINT, check_memory
from geo.parallel import Executor
from geo.pointcount import chunked_point_sums
from geo.schema import AS_OF_YEARS
from geo.workspace import Workspace
from geo.zonal import DEFAULT_ENGINE, MIN_INSIDE, zonal_stats
from risk.cache import Entry, IndicatorCache, cache_key, clear_memory
from risk.errors import AsOfDateError, ScoringError
from risk.hotspots import TOUCH_TOLERANCE_M, queen_neighbours
from risk.indicators import (
    DEPENDS,
    INDICATORS,
    available,
    compute_indicator,
    missing_notes,
    venue_pressure,
)
from risk.profiles import METHOD_PARAMETERS, Profile
from risk.rates import effort_note, total_counts

logger = logging.getLogger(__name__)
#: Indicator frames kept in memory (per workspace, layer versions, parameters and engine).
CACHE_SIZE = 8
#: What to do about a layer too large for this machine's memory.
BIG = (
    "count it in chunks on Dask workers instead (RISKMAP_EXECUTOR=dask, with "
    "RISKMAP_SCHEDULER_ADDRESS for a cluster), or score on a machine with more memory"
)
_cache: OrderedDict[tuple, Inputs] = OrderedDict()
_cache_lock = threading.Lock()
#: Layers a score "as of" a date cuts: records by their period, others by an as-of year column.
DATED = {"repatriations": "period", **AS_OF_YEARS}
#: Layers that carry no date: a score as of any date uses them as they are today.
UNDATED = ("communes", "border", "crossings", "population")
_AS_OF = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
#: Input hashes by id of the indicator frame: (frame ref, population ref, hash).
_hashes: dict[int, tuple[weakref.ref, weakref.ref, str]] = {}


@dataclass(frozen=True)
class Inputs:
    """What scoring needs from a workspace: indicators, population, neighbours, versions."""

    indicators: pd.DataFrame
    population: np.ndarray
    notes: tuple[str, ...]
    layer_versions: dict[str, str]
    synthetic: bool
    communes: gpd.GeoDataFrame  # the stored layer, EPSG:4326
    neighbours: Any  # queen contiguity (libpysal W), for hot spots
    repatriations_total: np.ndarray  # people recorded per commune, all periods, undecayed

    def input_hash(self) -> str:
        """Short hash of the indicator values and population: equal hashes, equal model inputs.

        Kept per indicator frame and population array (inputs are shared, never changed), so
        re-scoring cached inputs with new weights does not hash them again.
        """
        known = _hashes.get(id(self.indicators))
        if known is not None and known[0]() is self.indicators and known[1]() is self.population:
            return known[2]
        blob = self.indicators.to_csv().encode() + self.population.tobytes()
        digest = hashlib.sha256(blob).hexdigest()[:12]
        _hashes[id(self.indicators)] = (
            weakref.ref(self.indicators),
            weakref.ref(self.population),
            digest,
        )
        weakref.finalize(self.indicators, _hashes.pop, id(self.indicators), None)
        return digest


def read_inputs(
    ws: Workspace,
    profile: Profile,
    *,
    zonal_engine: str = DEFAULT_ENGINE,
    tables: Mapping[str, pd.DataFrame] | None = None,
    executor: Executor | None = None,
    cache: bool = True,
) -> Inputs:
    """Read ``ws`` and compute the indicators ``profile``'s parameters define.

    Each indicator, the population and the neighbours come from :mod:`risk.cache` when an
    entry exists for the versions of exactly the layers they read (``cache=False`` recomputes
    them all and stores nothing). ``tables`` replaces stored tables (e.g. repatriations before
    a backtest's holdout year): what reads them is recomputed. ``executor`` runs zonal
    statistics in chunks (see :mod:`geo.parallel`).
    """
    src = _Sources(ws, tables or {}, executor)
    store = IndicatorCache(ws if cache else None)
    population = _cached_population(store, src, zonal_engine, cache=cache)
    indicators, notes = _cached_indicators(store, src, population, profile.parameters, cache)
    reps = src.layer("repatriations") if src.present("repatriations") else None
    codes = src.stored["commune_code"].astype(str)
    return Inputs(
        indicators=indicators,
        population=population.values,
        notes=tuple(notes) if reps is None else (*notes, effort_note(reps)),
        layer_versions={name: v.version for name, v in sorted(src.versions.items())},
        synthetic=any(v.source.startswith("SYNTHETIC") for v in src.versions.values()),
        communes=src.stored,
        neighbours=_cached_neighbours(store, src, cache=cache),
        repatriations_total=np.zeros(len(codes)) if reps is None else total_counts(reps, codes),
    )


def cached_inputs(
    ws: Workspace,
    profile: Profile,
    *,
    zonal_engine: str = DEFAULT_ENGINE,
    executor: Executor | None = None,
) -> Inputs:
    """:func:`read_inputs`, kept in memory until a layer of ``ws`` or a parameter changes.

    Method parameters (normalisation, aggregation, ...) do not change the indicators, so
    re-scoring with other weights or methods only re-weights the cached frame. Below this,
    every indicator is cached on its own (see :mod:`risk.cache`).
    """
    versions = ws.versions()
    indicator_params = {k: v for k, v in profile.parameters.items() if k not in METHOD_PARAMETERS}
    key = (
        str(ws.root.resolve()),
        tuple(sorted((name, v.version, v.written_at) for name, v in versions.items())),
        json.dumps(indicator_params, sort_keys=True),
        zonal_engine,
    )
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    inputs = read_inputs(ws, profile, zonal_engine=zonal_engine, executor=executor)
    with _cache_lock:
        _cache[key] = inputs
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return inputs


def clear_caches() -> None:
    """Forget the inputs and cache entries held in this process (persisted entries stay)."""
    with _cache_lock:
        _cache.clear()
    clear_memory()


class _Sources:
    """The layers of one read of a workspace, loaded and reprojected only when needed."""

    def __init__(self, ws: Workspace, tables: Mapping[str, pd.DataFrame], executor) -> None:
        self.ws, self.tables, self.executor = ws, dict(tables), executor
        self.versions = ws.versions()
        self.stored = ws.read_layer("communes")
        self.index = pd.Index(self.stored["commune_code"].astype(str), name="commune_code")
        self._metric: gpd.GeoDataFrame | None = None
        self._layers: dict[str, pd.DataFrame] = {}

    @property
    def metric(self) -> gpd.GeoDataFrame:
        """The communes in a metric CRS, checked for area (computed once, on first use)."""
        if self._metric is None:
            self._metric = to_metric(self.stored)
            _check_areas(self._metric)
        return self._metric

    def version(self, name: str) -> str | None:
        """Stored version of layer ``name``; None for a table replaced by ``tables``."""
        current = self.versions.get(name)
        return None if name in self.tables or current is None else current.version

    def present(self, name: str) -> bool:
        """Whether layer ``name`` is there and has rows."""
        if name in self.tables:
            return not self.tables[name].empty
        return name in self.versions and self.versions[name].rows > 0

    def layer(self, name: str) -> pd.DataFrame:
        """Layer ``name`` (vector layers in the communes' metric CRS), read once."""
        if name not in self._layers:
            if name in self.tables:
                frame = self.tables[name]
            else:
                if name == "venues":
                    check_memory(
                        f"layer {name}", self.versions[name].rows, BYTES_PER_POINT, hint=BIG
                    )
                frame = self.ws.read_layer(name)
            if isinstance(frame, gpd.GeoDataFrame):
                frame = frame.to_crs(self.metric.crs)
            self._layers[name] = frame
        return self._layers[name]


@dataclass(frozen=True)
class _Population:
    values: np.ndarray  # people per commune
    version: str  # cache key: what indicators reading population depend on


def _cached_population(store: IndicatorCache, src: _Sources, engine: str, *, cache: bool):
    raster = src.present("population")
    versions = {
        "communes": src.version("communes"),
        "population": src.version("population") if raster else "column",
    }
    key = cache_key("population", versions, engine=engine if raster else "")
    entry = store.get(key) if cache else None
    if entry is None or not entry.frame.index.equals(src.index):
        values = _population(src, raster, engine)
        entry = Entry(pd.DataFrame({"population": values}, index=src.index))
        if cache:
            store.put(key, entry)
    return _Population(entry.frame["population"].to_numpy(), key)


def _cached_indicators(
    store: IndicatorCache, src: _Sources, population: _Population, params, cache: bool
) -> tuple[pd.DataFrame, list[str]]:
    """Every indicator the layers allow (cached or computed) and the notes on gaps."""
    names = [n for n in INDICATORS if _indicator_present(src, n)]
    notes = missing_notes([n for n in INDICATORS if n not in names])
    out = {}
    for name in names:
        entry = _indicator_entry(store, src, name, population, params, cache=cache)
        out[name] = entry.frame[name].to_numpy()
        notes.extend(entry.notes)
    return pd.DataFrame(out, index=src.index), notes


def _indicator_present(src: _Sources, name: str) -> bool:
    layer = INDICATORS[name].layer
    if layer is not None and INDICATORS[name].category and src.present(layer):
        return available(name, {layer: src.layer(layer)}, src.stored)  # needs its category
    return available(name, {}, src.stored) if layer is None else src.present(layer)


def _indicator_entry(store, src: _Sources, name: str, population: _Population, params, *, cache):
    deps = DEPENDS[name]
    versions = {n: population.version if n == "population" else src.version(n) for n in deps.layers}
    cacheable = cache and None not in versions.values()
    key = cache_key(name, versions, {p: params[p] for p in deps.parameters})
    entry = store.get(key) if cacheable else None
    if entry is None or not entry.frame.index.equals(src.index):
        values, notes = _compute(src, name, population, params)
        entry = Entry(pd.DataFrame({name: values}, index=src.index), tuple(notes))
        if cacheable:
            store.put(key, entry)
    return entry


def _compute(src: _Sources, name: str, population: _Population, params):
    """Indicator ``name`` and its notes; venues are counted on the executor when there is one."""
    if name == "venue_pressure" and src.executor is not None and "venues" not in src.tables:
        inside, reach = chunked_point_sums(
            src.ws.gpkg,
            "venues",
            src.versions["venues"].rows,
            polygons="communes",
            crs=src.metric.crs,
            weight_column="kind",
            weights=params["venue_kind_weights"],
            distances_m=(0.0, params["venue_spill_km"] * 1000),
            executor=src.executor,
        )
        notes: list[str] = []
        return venue_pressure(inside, reach, population.values, params, notes), notes
    deps = DEPENDS[name]
    layers = {n: src.layer(n) for n in deps.layers if n not in ("communes", "population")}
    communes = src.metric if deps.geometry else src.stored
    return compute_indicator(name, communes, layers, population.values, params)


def _cached_neighbours(store: IndicatorCache, src: _Sources, *, cache: bool):
    """Fuzzy queen contiguity of the communes (within 200 m), stored as (focal, neighbour) pairs."""
    from libpysal.weights import W

    key = cache_key(
        "neighbours", {"communes": src.version("communes")}, {"tolerance_m": TOUCH_TOLERANCE_M}
    )
    entry = store.get(key) if cache else None
    if entry is not None:
        lists: dict[int, list[int]] = {i: [] for i in range(len(src.stored))}
        for focal, other in entry.frame[["focal", "neighbour"]].itertuples(index=False):
            lists[int(focal)].append(int(other))
        return W(lists, silence_warnings=True)
    w = queen_neighbours(src.metric.geometry)
    if cache:
        pairs = [(i, j) for i in range(len(src.stored)) for j in w.neighbors[i]]
        store.put(key, Entry(pd.DataFrame(pairs, columns=["focal", "neighbour"], dtype="int64")))
    return w


def _check_areas(communes: gpd.GeoDataFrame) -> None:
    """A commune without area (empty or degenerate polygon) cannot be scored: say which."""
    flat = ~(shapely.area(communes.geometry.values) > 0)
    if flat.any():
        raise ScoringError(
            f"commune {communes['commune_code'].iloc[flat.argmax()]} (row {flat.argmax() + 1} "
            "of the communes layer) has zero area: fix or remove its polygon"
        )


def _population(src: _Sources, has_raster: bool, engine: str) -> np.ndarray:
    communes = src.stored
    if has_raster:
        people = _raster_population(src, engine)
    elif "population" in communes.columns:
        people = pd.to_numeric(communes["population"], errors="coerce").to_numpy(dtype=float)
    else:
        raise ScoringError(
            "no population: add a population raster or a population column to the communes layer"
        )
    bad = ~np.isfinite(people) | (people < 0)
    if bad.any():
        raise ScoringError(
            f"commune {communes['commune_code'].iloc[bad.argmax()]} has no "
            "population value (is it outside the population raster?)"
        )
    return people


def _raster_population(src: _Sources, engine: str) -> np.ndarray:
    """People per commune from the population raster; communes it cannot count are named."""
    path = src.ws.raster_path("population")
    result = zonal_stats(path, src.metric, engine=engine, executor=src.executor)
    outside = ~(result.inside >= MIN_INSIDE)
    empty = ~outside & ~(result.valid > 0)
    if outside.any():
        raise ScoringError(
            f"{_listed(src.index[outside])} lie partly outside the population raster "
            f"{path.name} (less than {MIN_INSIDE:.0%} of their area inside it): extend the "
            "raster, or give the communes a population column and remove the raster"
        )
    if empty.any():
        raise ScoringError(
            f"the population raster {path.name} holds only nodata over "
            f"{_listed(src.index[empty])} (of {len(src.index)}): fill those pixels (0 where "
            "nobody lives), or give the communes a population column and remove the raster"
        )
    return result.sums


def _listed(codes: pd.Index, limit: int = 10) -> str:
    """'3 communes: 10001, 10002, 10005' (the first ``limit`` codes, then how many more)."""
    shown = ", ".join(map(str, codes[:limit]))
    more = f" and {len(codes) - limit} more" if len(codes) > limit else ""
    return f"{len(codes)} commune{'s' if len(codes) != 1 else ''}: {shown}{more}"


def as_of_end(as_of: str) -> date:
    """Last day an as-of date covers: "2025" → 2025-12-31, "2025-06" → 2025-06-30, a day itself.

    Raises
    ------
    ScoringError
        If ``as_of`` is not YYYY, YYYY-MM or YYYY-MM-DD (a real date).
    """
    match = _AS_OF.fullmatch(str(as_of).strip())
    year, month, day = match.groups() if match else (None, None, None)
    if match is None or (day is not None and month is None):
        raise AsOfDateError(
            f'as-of date was "{as_of}" but is expected to be YYYY, YYYY-MM or YYYY-MM-DD'
        )
    try:
        m = int(month or 12)
        last = calendar.monthrange(int(year), m)[1] if 1 <= m <= 12 else 0
        return date(int(year), m, int(day) if day else last)
    except ValueError:
        raise AsOfDateError(
            f'as-of date was "{as_of}", which is not a date on the calendar'
        ) from None


def _not_future(as_of: str, end: pd.Timestamp, today: date | None = None) -> None:
    """Raise :class:`ScoringError` when the as-of period starts after ``today``."""
    today = today or date.today()
    start = date(end.year, 1 if len(str(as_of).strip()) == 4 else end.month, 1)
    if len(str(as_of).strip()) == 10:
        start = end.date()
    if start > today:
        raise AsOfDateError(
            f'as-of date was "{as_of}", which is in the future (today is {today.isoformat()}); '
            "expected a date up to today"
        )


def period_ends(periods: pd.Series) -> pd.Series:
    """Last day of each period ("2024" → 2024-12-31, "2024-03" → 2024-03-31) as datetimes."""
    text = periods.astype(str).str.strip()
    month = text.where(text.str.len() > 4, text.str.slice(0, 4) + "-12")
    return pd.to_datetime(month, format="%Y-%m") + pd.offsets.MonthEnd(0)


def dated_tables(ws: Workspace, as_of: str) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """The dated layers of ``ws`` cut to what was known by ``as_of``, and a note on each.

    A repatriation row counts when its whole period has ended by the as-of day (a year period
    "2025" is not in a score as of 2025-06); a venue or zone counts from the end of its licence
    or opening year, and always when that year is blank or the layer has no such column. The
    layers of :data:`UNDATED` have no date and are used as they are.
    """
    end = pd.Timestamp(as_of_end(as_of))
    _not_future(as_of, end)
    versions = ws.versions()
    tables, notes = {}, []
    for layer, column in DATED.items():
        if layer not in versions:
            continue
        frame = ws.read_layer(layer)
        if column not in frame.columns:
            notes.append(f"{layer} have no {column} column: all {len(frame)} rows are used")
            continue
        if layer == "repatriations":
            known = (period_ends(frame[column]) <= end).to_numpy()
        else:
            year = pd.to_numeric(frame[column], errors="coerce")
            known = ~(year > end.year - (1 if end.month < 12 or end.day < 31 else 0)).to_numpy()
        tables[layer] = frame[known].reset_index(drop=True)
        notes.append(f"as of {as_of}: {int(known.sum())} of {len(frame)} {layer} rows")
        if layer == "repatriations" and len(frame) and not known.any():
            first = period_ends(frame[column]).min().date().isoformat()
            notes.append(
                f"warning: no repatriation records before {first} (the first period ends "
                f"then), so as of {as_of} every commune scores without them"
            )
    there = [n for n in UNDATED if n in versions or n == "communes"]
    notes.append(f"as of {as_of}: {', '.join(there)} have no date; today's are used")
    return tables, notes
