"""Reads that stay correct while writers work: cached reads, consistent versions, locks, stamps."""

import threading
from collections import Counter

from geo.workspace import Workspace
from tests.factories import make_communes


def test_a_cached_read_is_a_copy_and_a_write_is_seen_at_once(tmp_workspace):
    first = tmp_workspace.read_layer("communes")
    first["commune_name"] = "changed by the caller"
    again = tmp_workspace.read_layer("communes")
    assert (again["commune_name"] != "changed by the caller").all()
    tmp_workspace.write_layers({"communes": make_communes(5, 4, seed=3)}, source="new.gpkg")
    assert len(tmp_workspace.read_layer("communes")) == 20
    assert Workspace.open(tmp_workspace.root).versions()["communes"].rows == 20


def test_read_current_pairs_each_frame_with_its_own_version(tmp_workspace):
    small, big = make_communes(seed=1), make_communes(5, 4, seed=2)
    rows_of = {}
    for frame in (small, big):
        version = tmp_workspace.write_layers({"communes": frame}, source="x")["communes"]
        rows_of[version.version] = len(frame)
    stop = threading.Event()

    def writer():
        while not stop.is_set():
            for frame in (small, big):
                tmp_workspace.write_layers({"communes": frame}, source="x")

    thread = threading.Thread(target=writer)
    thread.start()
    seen, times_seen = [], Counter()
    try:  # read until each version has been seen a few times while the writer swaps them
        while len(times_seen) < len(rows_of) or min(times_seen.values()) < 3:
            assert len(seen) < 100_000, f"the reader saw only {times_seen} while both were written"
            version, frame = tmp_workspace.read_current("communes")
            seen.append((version.version, len(frame)))
            times_seen[version.version] += 1
    finally:
        stop.set()
        thread.join()
    assert all(rows_of[v] == n for v, n in seen), seen


def test_the_layer_lock_lets_one_upload_at_a_time(tmp_workspace):
    holding, release, waiting, entered = (threading.Event() for _ in range(4))
    order = []

    def first():
        with tmp_workspace.layer_lock("communes"):
            order.append("first in")
            holding.set()
            release.wait(timeout=60)
            order.append("first out")

    def second():
        holding.wait(timeout=60)
        waiting.set()
        with tmp_workspace.layer_lock("communes"):
            order.append("second in")
            entered.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    assert waiting.wait(timeout=60)
    assert not entered.wait(timeout=0.5), "a second upload got the lock while the first held it"
    release.set()
    for thread in threads:
        thread.join()
    assert order == ["first in", "first out", "second in"]


def test_the_stamp_changes_with_layers_runs_and_keys(tmp_workspace):
    stamps = [tmp_workspace.stamp()]
    tmp_workspace.write_layers({"communes": make_communes(seed=4)}, source="x")
    stamps.append(tmp_workspace.stamp())
    tmp_workspace.write_json("keys.json", [])
    stamps.append(tmp_workspace.stamp())
    tmp_workspace.write_json("runs/abc123/record.json", {"run_id": "abc123"})
    stamps.append(tmp_workspace.stamp())
    tmp_workspace.write_json("runs/abc123/record.json", {"run_id": "abc123", "again": True})
    stamps.append(tmp_workspace.stamp())
    assert len(set(stamps)) == len(stamps)
    assert tmp_workspace.stamp() == stamps[-1]  # and stays put while nothing is written
