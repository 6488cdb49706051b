"""Response classes: GeoJSON that refuses NaN instead of writing invalid JSON."""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import JSONResponse


class GeoJSONResponse(JSONResponse):
    """RFC 7946 GeoJSON (``application/geo+json``), serialised with ``allow_nan=False``."""

    media_type = "application/geo+json"

    def render(self, content: Any) -> bytes:
        """Encode ``content`` as compact UTF-8 JSON; a NaN raises instead of becoming invalid."""
        return json.dumps(
            content, ensure_ascii=False, allow_nan=False, separators=(",", ":")
        ).encode("utf-8")
