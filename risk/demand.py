"""What a plan must reach: demand weights per commune and outline coverage (pure, arrays in/out).

A plan maximises the demand of the communes it reaches. Summing 0-100 scores (rule ``score``)
lets many small low-risk communes outweigh a few large high-risk ones, because real commune
areas differ 100×; the rules here make the demand explicit (see docs/method.md, "Plan demand on
real geometry"):

* ``score``: the score (0-100) of every commune, as plans did before.
* ``score_area``: the score read as risk per km², times the area (score·km²): the demand of a
  commune split into two halves of the same score is the same.
* ``above_threshold``: the score of the priority communes (top decile, or above ``threshold``),
  0 for every other commune.
* ``top_first`` (default): priority communes first, by score; every other commune counts with its
  score scaled so that all of them together weigh less than half the lowest priority commune,
  so they only decide between plans that reach the same priority communes.
* ``expected_events``: records expected per commune, the smoothed (time-decayed) rate per
  10,000 people × population / 10,000.

A commune is reached when its outline (any part of it) lies within the radius of a base:
:func:`coverage_matrix`. :func:`eligible_sites` keeps only the bases that reach a priority
commune, so that no base is spent where no priority commune is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

from risk.errors import PlanError

RULES = ("score", "score_area", "above_threshold", "top_first", "expected_events")
DEFAULT_RULE = "top_first"
#: Default rule per plan: border segments are ranked one by one, not covered, and all lie on the
#: border, so summed scores already put them near the top decile (docs/method.md).
DEFAULTS = {"patrol": DEFAULT_RULE, "outreach": DEFAULT_RULE, "segments": "score"}
#: Share of the communes (highest scores) a plan must aim at: the top decile.
TOP_SHARE = 0.10
#: Below-threshold communes together weigh at most this share of the lowest priority commune.
TIE_SHARE = 0.5
M_PER_KM = 1000.0


def top_communes(scores: ArrayLike, *, share: float = TOP_SHARE) -> NDArray[np.bool_]:
    """True for the communes whose score is at or above the ``1 - share`` quantile (top decile)."""
    s = _scores(scores)
    if not 0 < share <= 1:
        raise PlanError(f"top share is {share}, expected a number above 0 and at most 1")
    return s >= np.quantile(s, 1 - share)


def demand_weights(
    scores: ArrayLike,
    areas_km2: ArrayLike | None = None,
    *,
    rule: str = DEFAULT_RULE,
    threshold: float | None = None,
    rate_per_10k: ArrayLike | None = None,
    population: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """Demand of each commune under ``rule`` (finite, >= 0; units depend on the rule).

    Parameters
    ----------
    scores
        Risk score of each commune, 0-100.
    areas_km2
        Area of each commune, km² (rule ``score_area``).
    rule
        One of :data:`RULES`.
    threshold
        Score at or above which a commune is a priority commune (``above_threshold``,
        ``top_first``); default: the top decile (:func:`top_communes`). Pass the lower break of
        class 4 to make "class 4 or 5" the priority.
    rate_per_10k, population
        Smoothed rate per 10,000 people and people per commune (``expected_events``).

    Raises
    ------
    PlanError
        For an unknown rule, or when the rule's inputs are missing or not finite numbers >= 0.
    """
    s = _scores(scores)
    if rule == "score":
        return s
    if rule == "score_area":
        return s * _column(areas_km2, len(s), "areas_km2", rule)
    if rule in ("above_threshold", "top_first"):
        top = top_communes(s) if threshold is None else s >= _threshold(threshold)
        return _tiered(s, top, rule == "top_first")
    if rule == "expected_events":
        rate = _column(rate_per_10k, len(s), "rate_per_10k", rule)
        return rate * _column(population, len(s), "population", rule) / 10_000
    raise PlanError(f'demand rule was "{rule}" but is expected to be one of {", ".join(RULES)}')


def priority_communes(
    scores: ArrayLike, *, rule: str = DEFAULT_RULE, threshold: float | None = None
) -> NDArray[np.bool_]:
    """Communes a base must reach to be eligible: the threshold ones, or all for other rules."""
    s = _scores(scores)
    if rule not in ("above_threshold", "top_first"):
        return np.ones(len(s), dtype=bool)
    return top_communes(s) if threshold is None else s >= _threshold(threshold)


def coverage_matrix(candidates: ArrayLike, communes: ArrayLike, radius_km: float) -> NDArray:
    """Candidates × communes, True where any part of the commune is within ``radius_km`` km.

    Both are geometries (GeoSeries or shapely arrays) in one metric CRS (metres): distances are
    measured to the commune's outline, so a base inside a commune, or 5 km from the edge of a
    large commune whose centre is 20 km away, reaches it.
    """
    if not (isinstance(radius_km, int | float) and math.isfinite(radius_km) and radius_km > 0):
        raise PlanError(f"radius is {radius_km} km, expected a number > 0")
    _check_metric(candidates, communes)
    sites, polygons = _geoms(candidates), _geoms(communes)
    cover = np.zeros((len(sites), len(polygons)), dtype=bool)
    if len(sites) and len(polygons):
        tree = shapely.STRtree(polygons)
        site, commune = tree.query(sites, predicate="dwithin", distance=radius_km * M_PER_KM)
        cover[site, commune] = True
    return cover


def eligible_sites(coverage: ArrayLike, priority: ArrayLike, k: int) -> NDArray[np.bool_]:
    """Candidates that reach a ``priority`` commune; all candidates when fewer than ``k`` do."""
    cover = np.asarray(coverage, dtype=bool)
    mask = np.asarray(priority, dtype=bool)
    if cover.ndim != 2 or cover.shape[1] != len(mask):
        raise PlanError(f"coverage has shape {cover.shape}, expected (candidates, {len(mask)})")
    near = cover[:, mask].any(axis=1)
    return near if near.sum() >= k else np.ones(len(cover), dtype=bool)


@dataclass(frozen=True)
class Reach:
    """What chosen bases reach: priority communes, bases near one, and the score covered."""

    top_reached_share: float
    bases_near_top: int
    bases: int
    score_share: float

    @property
    def meets_bar(self) -> bool:
        """Every base reaches a priority commune and at least half of them are reached."""
        return self.bases_near_top == self.bases and self.top_reached_share >= 0.5


def reach(coverage: ArrayLike, chosen: ArrayLike, scores: ArrayLike, priority: ArrayLike) -> Reach:
    """How far bases ``chosen`` (rows of ``coverage``) reach ``priority`` communes (shares 0-1)."""
    cover = np.asarray(coverage, dtype=bool)[np.asarray(chosen, dtype=int)]
    top, s = np.asarray(priority, dtype=bool), _scores(scores)
    reached = cover.any(axis=0)
    return Reach(
        top_reached_share=float(reached[top].mean()) if top.any() else 1.0,
        bases_near_top=int(cover[:, top].any(axis=1).sum()),
        bases=len(cover),
        score_share=float(s[reached].sum() / s.sum()) if s.sum() > 0 else 0.0,
    )


def _tiered(s: NDArray, top: NDArray, tie_break: bool) -> NDArray[np.float64]:
    """Score where ``top``; below it 0, or (``tie_break``) scaled under the lowest top one."""
    weights = np.where(top, s, 0.0)
    below = s[~top].sum()
    if tie_break and top.any() and below > 0:
        weights[~top] = (s[~top] / below) * (TIE_SHARE * s[top].min())  # no overflow
    return weights


def _scores(scores: ArrayLike) -> NDArray[np.float64]:
    s = np.array(scores, dtype=float)  # a copy: weights never alias the caller's scores
    if s.ndim != 1 or len(s) == 0:
        raise PlanError("scores must be a non-empty list of numbers, one per commune")
    if not (np.isfinite(s).all() and (s >= 0).all()):
        raise PlanError("scores must be finite numbers >= 0")
    return s


def _column(values: ArrayLike | None, n: int, name: str, rule: str) -> NDArray[np.float64]:
    if values is None:
        raise PlanError(f'demand rule "{rule}" needs {name}, one value per commune')
    v = np.asarray(values, dtype=float)
    if v.shape != (n,) or not (np.isfinite(v).all() and (v >= 0).all()):
        raise PlanError(
            f'demand rule "{rule}": {name} must hold {n} finite numbers >= 0 (one per commune)'
        )
    return v


def _threshold(threshold: float) -> float:
    if not (isinstance(threshold, int | float) and math.isfinite(threshold)):
        raise PlanError(f"threshold is {threshold}, expected a score from 0 to 100")
    return float(threshold)


def _geoms(values: ArrayLike) -> NDArray[np.object_]:
    return np.asarray(getattr(values, "values", values), dtype=object)


def _check_metric(*frames) -> None:
    """A geographic CRS would make the radius degrees: refuse it, and CRSs that differ."""
    crss = [f.crs for f in frames if getattr(f, "crs", None) is not None]
    if any(c.is_geographic for c in crss):
        raise PlanError("coverage needs geometries in a metric CRS (metres), not lon/lat degrees")
    if len({c.to_string() for c in crss}) > 1:
        raise PlanError("candidates and communes are in different CRSs; reproject one of them")
