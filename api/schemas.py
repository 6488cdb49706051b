"""Response models of the HTTP API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from risk.indicators import INDICATORS


class Health(BaseModel):
    """Service status: no path or name of the workspace, which anyone may ask for."""

    status: str
    version: str
    workspace_ok: bool


class ProfileOut(BaseModel):
    """A risk profile as clients see it."""

    name: str
    title: dict[str, str]
    #: Why the profile weighs what it does: {"vi": ..., "en": ...}.
    rationale: dict[str, str]
    weights: dict[str, float]


class IndicatorOut(BaseModel):
    """One indicator of a commune: value, normalised value and its part of the score."""

    indicator: str
    label_vi: str
    label_en: str
    unit: str
    raw: float | None = Field(description="in ``unit``; null when withheld (see ``withheld``)")
    normalised: float | None = Field(description="0-100; null when withheld")
    weight: float = Field(description="share of the score, 0-1")
    contribution: float | None = Field(description="points of the 0-100 score; null when withheld")
    withheld: bool = Field(
        False, description="true when this is a rate of a small count of people, hidden from you"
    )


class CommuneDetail(BaseModel):
    """A commune's score with its explanation, from one stored run."""

    commune_code: str
    commune_name: str
    district_name: str | None
    profile: str
    run_id: str
    score: float = Field(description="0-100")
    class_: int = Field(alias="class", description="1 (very low) to 5 (very high)")
    class_label: str
    class_label_en: str
    rank: int
    communes: int
    drivers: list[str]
    reasons: list[str] = Field(description="the top three drivers in words, Vietnamese")
    reasons_en: list[str] = Field(description="the top three drivers in words, English")
    rank_p05: int | None = Field(None, description="best rank under reasonable weights (5th pct)")
    rank_p95: int | None = Field(None, description="worst rank under reasonable weights (95th)")
    p_top_k: float | None = Field(None, description="probability (0-1) of being in the top k")
    top_k: int | None = Field(None, description="the k of p_top_k (the profile's)")
    class_uncertain: bool | None = Field(
        None, description="true when the 5-95 % scores of the draws fall in different classes"
    )
    hotspot: str | None = Field(None, description="Gi* class: hot_99 ... ns ... cold_99")
    hotspot_label: str | None = None
    hotspot_label_en: str | None = None
    indicators: list[IndicatorOut]
    repatriations_total: int | str | None = Field(
        None,
        description='people recorded over all periods; viewers see "<5" or a rounded value',
    )
    rate_withheld: bool = Field(False, description="true when a rate of people is hidden")
    notes: list[str]
    quality: list[str] = Field(default_factory=list, description="quality flags of the run")


#: What the weights of a request may hold (their sum of 1 is checked by the server, 422).
WEIGHTS_SCHEMA: dict[str, Any] = {
    "minProperties": 1,
    "propertyNames": {"enum": list(INDICATORS)},
    "additionalProperties": {"type": "number", "minimum": 0},
}


class ScoreRequest(BaseModel):
    """Custom weights to score with (``POST /scores``); nothing is stored."""

    profile: str = Field(
        "patrol", pattern=r"^[a-z][a-z0-9_-]{0,39}$", description="Profile name, e.g. patrol"
    )
    weights: dict[str, Any] | None = Field(
        None,
        description="Indicator → weight >= 0, summing to 1; checked like a profile file. "
        "Default: the profile's weights.",
        examples=[{"border_proximity": 0.5, "crossing_access": 0.5}],
        json_schema_extra=WEIGHTS_SCHEMA,
    )


class RunOut(BaseModel):
    """A stored score run: enough to reproduce it, and what it found."""

    run_id: str
    profile: str
    created_at: str
    weights: dict[str, float]
    weights_hash: str
    parameters: dict[str, Any]
    layer_versions: dict[str, str]
    layer_parts: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="for a layer uploaded by province: each province's version it merged",
    )
    code_version: str
    input_hash: str = ""
    seed: int = 0
    as_of: str = Field("", description="scored with only records known by this date; '': all")
    synthetic: bool
    communes: int
    top_k: int = 0
    breaks: list[float]
    notes: list[str]
    quality: list[str] = Field(default_factory=list, description="indicator quality flags")
    treatments: dict[str, str] = Field(default_factory=dict, description="outlier treatment")
    top: list[dict[str, Any]] | None = Field(None, description="highest-ranked communes")
    uncertainty: dict[str, Any] | None = Field(
        None,
        description="what the rank intervals vary (``sources``, e.g. weights, counts, "
        "parameters), the draws and the communes whose class is uncertain",
    )


class ProvinceVersionOut(BaseModel):
    """One province's current version of a layer uploaded province by province."""

    province: str
    version: str = Field(description="content hash of the province's rows")
    rows: int | None = Field(
        None, description="the province's rows (null for viewers of a layer counting people)"
    )
    written_at: str
    action: str = Field(
        description="write, rollback, or split (rows stored before uploads by province)"
    )
    source: str | None = Field(None, description="the file (null for viewers of counts)")
    actor: str | None = Field(None, description="who stored it (analysts only)")
    source_sha256: str | None = Field(
        None, description="SHA-256 of the uploaded file (analysts only)"
    )


class LayerOut(BaseModel):
    """A stored layer's current version (and, if uploaded by province, each province's)."""

    name: str
    kind: str = Field(description="vector (GeoJSON features), table (JSON rows) or raster")
    version: str = Field(description="content hash of the stored layer")
    features: int = Field(description="features or rows stored (1 for a raster)")
    written_at: str
    source: str = Field(description="the file it was read from")
    provinces: list[ProvinceVersionOut] = Field(
        default_factory=list,
        description="each province's current version (a key limited to a province: its own)",
    )


class UploadOut(BaseModel):
    """What an upload stored: the new version and the validation report."""

    layer: str
    version: str = Field(description="the new version (of the province's rows, for a province key)")
    rows_stored: int
    province: str | None = Field(None, description="the province whose rows were replaced")
    report: dict[str, Any] = Field(description="rows read and rejected, notes and problems")


class RunRequest(ScoreRequest):
    """A profile and optional custom weights to score with and store as a run (``POST /runs``)."""

    as_of: str | None = Field(
        None,
        pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$",
        description="score with only the records known by this date (YYYY, YYYY-MM, YYYY-MM-DD)",
    )


#: ``minx,miny,maxx,maxy`` in degrees: four decimal numbers of at most three integer digits; a
#: box outside Viet Nam matches nothing; a minimum above its maximum is a 422 (geo.query).
BBOX_PATTERN = r"^-?[0-9]{1,3}(\.[0-9]+)?(,-?[0-9]{1,3}(\.[0-9]+)?){3}$"


class Problem(BaseModel):
    """An error answer (RFC 9457 problem+json): what went wrong, in one line."""

    type: str = Field("about:blank", description="always about:blank")
    title: str = Field(description="the status in words, e.g. Not found")
    status: int = Field(ge=400, le=599, description="the HTTP status code")
    detail: str = Field(description="what was wrong and what was expected, naming the value")
    report: dict[str, Any] | None = Field(
        None, description="row-level report of a rejected upload (422 on POST /layers only)"
    )
