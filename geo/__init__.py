"""Read, validate, reproject and store layers; spatial measures. Knows nothing of risk."""

import logging

logging.getLogger(__name__).addHandler(logging.NullHandler())
