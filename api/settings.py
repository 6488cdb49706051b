"""Service settings from ``RISKMAP_*`` environment variables: the only place settings are read."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from risk.profiles import PROFILES_DIR


class Settings(BaseSettings):
    """Where the workspace and profiles are, and how to compute population."""

    model_config = SettingsConfigDict(env_prefix="RISKMAP_")

    workspace: Path = Path("var/demo")
    profiles_dir: Path = PROFILES_DIR
    zonal_engine: Literal["exactextract", "rasterstats"] = "exactextract"
    host: str = "127.0.0.1"
    port: int = 8000
    #: Refuse every request without a valid key (but /health). Keys are also required, however
    #: the app is started, as soon as the workspace has a live key or a request arrives on an
    #: address that is not loopback.
    require_keys: bool = False
    #: Host names (besides localhost, 127.0.0.1 and [::1]) a request arriving on loopback may
    #: name, e.g. the name a reverse proxy on this machine passes on; others get 400 (DNS
    #: rebinding). Comma-separated in ``RISKMAP_ALLOWED_HOSTS``.
    allowed_hosts: str = ""
    #: Requests per minute per key (per client address without a key); 0 switches it off.
    rate_limit_per_minute: int = 1200
    #: Audit log size before it is rotated (MB), and how many old logs are kept.
    audit_max_mb: float = 10.0
    audit_backups: int = 5
    #: Counts from 1 to this minus one are shown as "<N" to viewers and in exports.
    small_count_threshold: int = 5
    #: How small counts reach viewers: "threshold" shows 1..threshold-1 as "<threshold";
    #: "round" rounds every count down to a multiple of ``round_base``.
    suppression_mode: Literal["threshold", "round"] = "threshold"
    round_base: Literal[5, 10] = 5
    #: Largest request body accepted (uploads), MB.
    max_upload_mb: float = 50.0
    #: Where zonal statistics and Monte Carlo draws run: in this process or on a Dask cluster.
    executor: Literal["local", "dask"] = "local"
    #: Dask scheduler address (tcp://host:8786); empty with executor=dask starts a LocalCluster.
    scheduler_address: str = ""
    #: The province's Word template (.docx or .dotx) for docx exports; unset: riskmap's own.
    docx_template: Path | None = None

    @field_validator("docx_template")
    @classmethod
    def _template_is_a_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"the Word template {value} is not a file; expected a .docx")
        return value


@lru_cache
def get_settings() -> Settings:
    """Settings read once from the environment."""
    return Settings()
