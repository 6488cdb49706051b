"""The risk profiles available to score with."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import SettingsDep
from api.schemas import ProfileOut
from risk.profiles import list_profiles, load_profile

router = APIRouter(tags=["profiles"])


@router.get("/profiles", response_model=list[ProfileOut])
def get_profiles(settings: SettingsDep) -> list[ProfileOut]:
    """Every profile with its weights and rationale."""
    profiles = [
        load_profile(n, settings.profiles_dir) for n in list_profiles(settings.profiles_dir)
    ]
    return [
        ProfileOut(
            name=p.name, title=dict(p.title), rationale=dict(p.rationale), weights=dict(p.weights)
        )
        for p in profiles
    ]
