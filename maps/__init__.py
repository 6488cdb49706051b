"""Draw what ``risk`` computed: interactive Folium maps (never computes scores)."""

import logging

logging.getLogger(__name__).addHandler(logging.NullHandler())
