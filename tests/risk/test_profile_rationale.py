"""Profile rationales in Vietnamese and English; an older single-text rationale still loads."""

import pytest

from risk.errors import ProfileError
from risk.profiles import load_profile, profile_from_dict

WEIGHTS = {"crossing_access": 1.0}


@pytest.mark.parametrize("name", ["patrol", "outreach"])
def test_shipped_rationales_exist_in_both_languages(name):
    profile = load_profile(name)
    vi, en = profile.rationale_in("vi"), profile.rationale_in("en")
    assert vi != en and len(vi) > 200 and len(en) > 200
    assert "lối mở" in vi.lower() or "dân tộc" in vi.lower()
    assert "xã" in vi and "commune" in en


def test_a_single_text_rationale_stands_for_both_languages():
    profile = profile_from_dict(
        {"name": "old", "weights": WEIGHTS, "rationale": "  Một lý do.  "}, source="old.yaml"
    )
    assert profile.rationale == {"vi": "Một lý do.", "en": "Một lý do."}
    assert profile.rationale_in("en") == "Một lý do."


def test_a_rationale_in_one_language_is_shown_for_the_other():
    profile = profile_from_dict(
        {"name": "half", "weights": WEIGHTS, "rationale": {"en": "Only English."}}, source="h"
    )
    assert profile.rationale_in("vi") == "Only English."
    assert profile.with_weights(WEIGHTS).rationale == {"en": "Only English."}


@pytest.mark.parametrize(
    "rationale",
    [{"fr": "Non."}, {"vi": 3}, {"vi": "  "}, ["vi", "en"]],
    ids=["unknown-language", "not-text", "blank", "list"],
)
def test_a_bad_rationale_is_refused_with_what_was_expected(rationale):
    with pytest.raises(ProfileError, match=r'bad\.yaml: key "rationale" must be a text, or texts'):
        profile_from_dict(
            {"name": "bad", "weights": WEIGHTS, "rationale": rationale}, source="bad.yaml"
        )


def test_profiles_api_gives_both_rationales(client):
    patrol = {p["name"]: p for p in client.get("/profiles").json()}["patrol"]
    assert set(patrol["rationale"]) == {"vi", "en"}
    assert patrol["rationale"]["vi"].startswith("Tuần tra")
