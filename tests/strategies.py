"""Hypothesis strategies for the scoring maths."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from risk.indicators import INDICATORS

NAMES = list(INDICATORS)
finite = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def weights(draw, names=NAMES):
    """Non-negative weights over ``names``, at least one positive, summing to 1."""
    raw = draw(st.lists(st.integers(0, 100), min_size=len(names), max_size=len(names)))
    if sum(raw) == 0:
        raw[0] = 1
    total = sum(raw)
    return {n: r / total for n, r in zip(names, raw, strict=True)}


@st.composite
def indicator_frames(draw, min_rows=1, max_rows=12):
    """A frame of every indicator for a few communes, indexed by 5-digit codes."""
    n = draw(st.integers(min_rows, max_rows))
    data = {name: draw(st.lists(finite, min_size=n, max_size=n)) for name in NAMES}
    index = pd.Index([f"{90001 + i}" for i in range(n)], name="commune_code")
    return pd.DataFrame(data, index=index).astype(np.float64)
