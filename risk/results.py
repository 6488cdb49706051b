"""Result types of a scoring run and the column names they use."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from risk.labels import LANGS, indicator_label, word

RAW, NORM, CONTRIB = "raw_", "norm_", "contrib_"
#: How one driver of a score is put in words, per language.
REASON = {lang: word("report.reason", lang) for lang in LANGS}
SCORE_COLUMNS = ("commune_code", "score", "class", "class_label_vi", "class_label_en", "rank")
#: Columns added by the analyses of a run: rank interval and top-k probability (sensitivity),
#: whether the class is uncertain (5-95 % scores in different classes), Getis-Ord Gi* class,
#: and people recorded over all periods (sensitive: suppress small values).
ANALYSIS_COLUMNS = (
    "rank_p05",
    "rank_p95",
    "p_top_k",
    "class_uncertain",
    "hotspot",
    "repatriations_total",
)
#: Where a commune is: the communes layer's columns joined onto every served result.
PLACE_COLUMNS = ("commune_code", "commune_name", "district_name", "province_name")
#: What the API and exports show of a scored commune, in this order (the one list of them).
RESULT_COLUMNS = (*PLACE_COLUMNS, *SCORE_COLUMNS[1:], *ANALYSIS_COLUMNS)
#: Ranked tables: the same columns with the rank first.
RANKING_COLUMNS = ("rank", *(c for c in RESULT_COLUMNS if c != "rank"))
#: A comparison with another run (``--against``): the other run's figures and the changes
#: (score points, rank places: positive = moved up, class steps). Exports show them when present.
CHANGE_COLUMNS = (
    "previous_score",
    "score_change",
    "previous_rank",
    "rank_change",
    "previous_class",
    "class_change",
)
#: Report exports: the result columns with the population (people) after the place.
EXPORT_COLUMNS = (*PLACE_COLUMNS, "population", *RESULT_COLUMNS[len(PLACE_COLUMNS) :])


def raw_col(indicator: str) -> str:
    """Column holding an indicator's value in its own unit."""
    return RAW + indicator


def norm_col(indicator: str) -> str:
    """Column holding an indicator's normalised value (0-100)."""
    return NORM + indicator


def contrib_col(indicator: str) -> str:
    """Column holding an indicator's contribution to the score (points of 0-100)."""
    return CONTRIB + indicator


@dataclass(frozen=True)
class Contribution:
    """One indicator's part in one commune's score."""

    indicator: str
    raw: float
    normalised: float
    weight: float
    contribution: float


@dataclass(frozen=True)
class ScoreTable:
    """Scores of every commune with the weights actually used and notes on dropped indicators.

    ``frame`` is indexed by position and has :data:`SCORE_COLUMNS` plus, per indicator,
    ``raw_*``, ``norm_*`` (0-100) and ``contrib_*`` (points; they add up to ``score``), and
    after the analyses of a run :data:`ANALYSIS_COLUMNS`. ``quality`` holds the quality flags
    of the indicators and ``treatments`` the outlier treatment applied to each.
    """

    frame: pd.DataFrame
    weights: Mapping[str, float]
    breaks: tuple[float, ...]
    notes: tuple[str, ...] = ()
    quality: tuple[str, ...] = ()
    treatments: Mapping[str, str] = field(default_factory=dict)

    @property
    def indicators(self) -> list[str]:
        """Indicators used in this table, in weight order."""
        return list(self.weights)

    def drivers(self, top: int = 3, *, rows: Sequence[int] | None = None) -> list[list[str]]:
        """Per commune (per position in ``rows``): largest positive contributors, largest first."""
        names = self.indicators
        frame = self.frame if rows is None else self.frame.iloc[list(rows)]
        contribs = frame[[contrib_col(i) for i in names]].to_numpy(dtype=float)
        order = np.argsort(-contribs, axis=1, kind="stable")[:, :top]
        return [[names[j] for j in row if contribs[i, j] > 0] for i, row in enumerate(order)]

    def reasons(
        self, commune_code: str, lang: str = "vi", top: int = 3, *, withheld: Iterable[str] = ()
    ) -> list[str]:
        """A commune's ``top`` drivers in words: label, points and share of its score.

        Indicators in ``withheld`` (rates of a small count of people) are named without points.
        """
        row = self.frame.iloc[self.row_of(commune_code)]
        total = float(row["score"])
        parts = sorted(
            ((float(row[contrib_col(n)]), n) for n in self.indicators), key=lambda p: -p[0]
        )
        hidden = set(withheld)
        return [
            indicator_label(name, lang)
            if name in hidden
            else REASON[lang].format(
                label=indicator_label(name, lang),
                points=points,
                share=points / total if total > 0 else 0.0,
            )
            for points, name in parts[:top]
            if points > 0
        ]

    def row_of(self, commune_code: str) -> int:
        """Position of ``commune_code`` in :attr:`frame`; KeyError if it is not there."""
        hits = np.flatnonzero(self.frame["commune_code"].to_numpy() == str(commune_code))
        if not len(hits):
            raise KeyError(commune_code)
        return int(hits[0])

    def explain(self, commune_code: str) -> list[Contribution]:
        """Each indicator's raw value, normalised value (0-100), weight and points for a commune."""
        row = self.frame.iloc[self.row_of(commune_code)]
        return [
            Contribution(
                name,
                float(row[raw_col(name)]),
                float(row[norm_col(name)]),
                float(weight),
                float(row[contrib_col(name)]),
            )
            for name, weight in self.weights.items()
        ]


@dataclass(frozen=True)
class RunRecord:
    """Everything needed to reproduce a score run: profile, weights, inputs, code version."""

    run_id: str
    profile: str
    weights: Mapping[str, float]
    parameters: Mapping[str, Any]
    weights_hash: str
    layer_versions: Mapping[str, str]
    code_version: str
    created_at: str
    breaks: tuple[float, ...]
    notes: tuple[str, ...] = ()
    synthetic: bool = False
    communes: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)
    top_k: int = 0
    quality: tuple[str, ...] = ()
    treatments: Mapping[str, str] = field(default_factory=dict)
    input_hash: str = ""
    seed: int = 0
    as_of: str = ""  # scored with only the records known by this date (YYYY[-MM[-DD]]); "": all
    #: Each layer uploaded by province: the provinces' versions its recorded version merged.
    layer_parts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
