"""Reads that stay correct while writers work: cached reads, consistent versions, locks, stamps."""

import itertools
import threading
import time

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
    seen = []
    try:
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            version, frame = tmp_workspace.read_current("communes")
            seen.append((version.version, len(frame)))
    finally:
        stop.set()
        thread.join()
    assert all(rows_of[v] == n for v, n in seen), seen
    assert len({v for v, _ in seen}) == 2  # the reader really ran while both were written


def test_the_layer_lock_lets_one_upload_at_a_time(tmp_workspace):
    spans = []

    def upload():
        with tmp_workspace.layer_lock("communes"):
            start = time.monotonic()
            time.sleep(0.3)
            spans.append((start, time.monotonic()))

    threads = [threading.Thread(target=upload) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    spans.sort()
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


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
