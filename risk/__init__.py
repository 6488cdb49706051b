"""Indicators, normalisation, weighting: score, class, rank and explanation per commune."""

import logging

logging.getLogger(__name__).addHandler(logging.NullHandler())
