"""``POST /scores?fields=``: a slider asks only for what re-colours the map; the heap is frozen."""

from __future__ import annotations

import gc

import pytest

from api.heap import HeapFreeze, refreeze

QUICK = "/scores?geometry=false&analyses=false"
SLIDER = "commune_code,score,class,class_label,class_label_en,rank"
BODY = {"profile": "patrol", "weights": {"border_proximity": 0.5, "venue_pressure": 0.5}}


def test_fields_answers_only_those_properties_with_the_same_values(client):
    every = client.post(QUICK, json=BODY).json()["features"]
    some = client.post(f"{QUICK}&fields={SLIDER}", json=BODY)
    assert some.status_code == 200, some.text
    chosen = some.json()["features"]
    names = SLIDER.split(",")
    assert [list(f["properties"]) for f in chosen] == [names] * len(every)
    assert [f["properties"] for f in chosen] == [
        {k: f["properties"][k] for k in names} for f in every
    ]
    assert len(some.content) < len(client.post(QUICK, json=BODY).content) * 0.75


@pytest.mark.parametrize(
    ("fields", "match"),
    [("score,national_id", "unknown: national_id"), (",", "expected to be a comma-separated")],
)
def test_unknown_or_empty_fields_are_refused_by_name(client, fields, match):
    response = client.post(f"{QUICK}&fields={fields}", json=BODY)
    assert response.status_code == 422
    assert match in response.text and "commune_code" in response.text


def test_a_slow_answer_freezes_the_heap_and_a_fast_one_does_not():
    import asyncio

    async def app(scope, receive, send):
        await asyncio.sleep(scope["sleep"])

    gc.unfreeze()
    middleware = HeapFreeze(app, slow_s=0.05)
    asyncio.run(middleware({"type": "http", "sleep": 0}, None, None))
    assert gc.get_freeze_count() == 0
    asyncio.run(middleware({"type": "http", "sleep": 0.06}, None, None))
    assert gc.get_freeze_count() > 0
    gc.unfreeze()


def test_refreeze_collects_cyclic_garbage_among_frozen_objects():
    import weakref

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a
    gone = weakref.ref(a)
    refreeze()  # both frozen while alive
    del a, b  # now a cycle only a collection frees
    assert gone() is not None
    refreeze()
    assert gone() is None
    gc.unfreeze()
