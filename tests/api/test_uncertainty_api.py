"""The API says which communes' classes are uncertain and what the rank intervals vary."""

from risk.privacy import Suppression, viewing
from risk.store import load_run


def test_scores_features_say_whether_each_class_is_uncertain(client, scored_workspace):
    features = client.get("/scores", params={"profile": "patrol"}).json()["features"]
    with viewing(Suppression()):  # the anonymous loopback caller is a viewer: its variant
        stored = load_run(scored_workspace, "patrol").table.frame.set_index("commune_code")
    for feature in features:
        props = feature["properties"]
        assert isinstance(props["class_uncertain"], bool)
        expected = bool(stored.loc[props["commune_code"], "class_uncertain"])
        assert props["class_uncertain"] == expected


def test_commune_detail_says_whether_its_class_is_uncertain(client, scored_workspace):
    frame = load_run(scored_workspace, "patrol").table.frame
    for flag in (True, False):
        rows = frame[frame["class_uncertain"] == flag]
        if rows.empty:
            continue
        detail = client.get(f"/communes/{rows['commune_code'].iloc[0]}").json()
        assert detail["class_uncertain"] is flag


def test_run_record_names_the_sources_of_its_uncertainty(client):
    runs = client.get("/runs").json()
    one = client.get(f"/runs/{runs[-1]['run_id']}").json()
    assert one["uncertainty"]["sources"] == ["weights", "counts", "parameters"]
    assert one["uncertainty"]["class_uncertain_communes"] >= 0
    assert isinstance(one["top"][0]["class_uncertain"], bool)
