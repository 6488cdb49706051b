"""A score table for any commune frame, without scoring (maps never compute scores)."""

import numpy as np
import pandas as pd

from risk.labels import CLASS_LABELS
from risk.results import ScoreTable


def score_table_for(communes, *, seed: int = 0) -> ScoreTable:
    rng = np.random.default_rng(seed)
    n = len(communes)
    score = rng.uniform(0, 100, n).round(2)
    cls = np.searchsorted([20, 40, 60, 80], score, side="right") + 1
    frame = pd.DataFrame(
        {
            "commune_code": communes["commune_code"].to_numpy(),
            "score": score,
            "class": cls,
            "class_label_vi": [CLASS_LABELS[c]["vi"] for c in cls],
            "class_label_en": [CLASS_LABELS[c]["en"] for c in cls],
            "rank": pd.Series(-score).rank(method="first").astype(int).to_numpy(),
            "raw_border_proximity": score,
            "norm_border_proximity": score / 10,
            "contrib_border_proximity": score,
        }
    )
    return ScoreTable(frame, {"border_proximity": 1.0}, (20.0, 40.0, 60.0, 80.0))
