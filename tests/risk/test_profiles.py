import math

import pytest

from risk.errors import ProfileError, UnknownProfileError
from risk.profiles import list_profiles, load_profile


def test_shipped_profiles_load_with_weights_summing_to_one(profile):
    assert math.isclose(sum(profile.weights.values()), 1.0)
    assert profile.rationale and profile.title["vi"] and profile.title["en"]
    assert {"patrol", "outreach"} <= set(list_profiles())


def test_informal_crossings_weigh_at_least_as_much_as_official_gates():
    kinds = load_profile("patrol").parameters["crossing_kind_weights"]
    assert min(kinds["opening"], kinds["trail"]) >= max(kinds["international"], kinds["main"])


@pytest.mark.parametrize("name", ["nope", "../patrol", "/etc/passwd", "Patrol"])
def test_unknown_profile_names_are_not_found(name):
    with pytest.raises(UnknownProfileError, match=r"does not exist.*known: outreach, patrol"):
        load_profile(name)


BAD = {
    "unknown indicator": (
        "weights: {border_proximity: 0.5, moon_phase: 0.5}",
        r"weights\.moon_phase is not an indicator",
    ),
    "negative weight": (
        "weights: {border_proximity: 1.5, crossing_access: -0.5}",
        r"weights\.crossing_access is -0\.5, expected a number >= 0",
    ),
    "text weight": (
        "weights: {border_proximity: lots}",
        r"weights\.border_proximity is 'lots', expected a number",
    ),
    "sum": (
        "weights: {border_proximity: 0.5, crossing_access: 0.2}",
        r"weights sum to 0\.7, expected 1",
    ),
    "unknown parameter": (
        "weights: {border_proximity: 1}\nparameters: {speed_of_light: 3}",
        r"parameters\.speed_of_light is not a model parameter",
    ),
    "bad kind": (
        "weights: {border_proximity: 1}\nparameters:\n  crossing_kind_weights: {tunnel: 2}",
        r"crossing_kind_weights\.tunnel is not one of",
    ),
    "zero decay": (
        "weights: {border_proximity: 1}\nparameters: {crossing_decay_km: 0}",
        r"parameters\.crossing_decay_km is 0, expected a number > 0",
    ),
    "yaml": ("weights: {border_proximity: [1", "cannot read profile"),
}


@pytest.mark.parametrize("body, message", BAD.values(), ids=BAD.keys())
def test_bad_profile_files_name_the_key(tmp_path, body, message):
    path = tmp_path / "custom.yaml"
    path.write_text(f"name: custom\n{body}\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=rf"custom\.yaml: .*{message}"):
        load_profile(path)


def test_custom_weights_are_checked_like_a_file():
    with pytest.raises(ProfileError, match="weights sum to 2"):
        load_profile("patrol").with_weights({"border_proximity": 2.0})
    changed = load_profile("patrol").with_weights({"border_proximity": 1.0})
    assert changed.model_hash() != load_profile("patrol").model_hash()


def test_the_model_hash_changes_with_parameters_as_well_as_weights():
    patrol = load_profile("patrol")
    other = patrol.with_settings({"top_k": 7})
    assert dict(other.weights) == dict(patrol.weights)
    assert other.model_hash() != patrol.model_hash()
