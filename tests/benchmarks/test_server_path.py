"""What `make load` found slow at national scale: per-request reads of a run's score table."""

import pandas as pd

from risk.store import load_run


def test_one_commune_s_drivers_are_those_of_its_row_in_the_whole_table(scored_workspace):
    table = load_run(scored_workspace, "patrol").table
    every = table.drivers()
    for row in (0, 5, len(every) - 1):
        assert table.drivers(rows=[row]) == [every[row]]
    assert table.drivers(rows=[3, 1]) == [every[3], every[1]]


def test_a_kept_score_table_is_a_copy_and_follows_its_file(scored_workspace):
    ws = scored_workspace
    run = load_run(ws, "patrol")
    first = run.table.frame
    first.loc[0, "score"] = -1.0  # a caller changing its copy changes nobody else's
    again = load_run(ws, "patrol").table.frame
    assert again.loc[0, "score"] != -1.0
    path = ws.path(ws.run_file(run.record.run_id, "scores.csv"))
    changed = pd.read_csv(path, dtype={"commune_code": str, "hotspot": str})
    changed["score"] = 42.0
    changed.to_csv(path, index=False)  # a rewritten file (new size): the new values are read
    assert load_run(ws, "patrol").table.frame["score"].eq(42.0).all()
