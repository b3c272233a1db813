"""The default-avatar cache of the render API: one build per body model, safe across threads."""

import threading
import time

from signspark.render import api


def _counting_builder(monkeypatch):
    calls = []

    def build(bm):
        calls.append(bm)
        time.sleep(0.05)  # long enough for the other threads to arrive while it builds
        return object()

    monkeypatch.setattr(api, "default_avatar", build)
    monkeypatch.setattr(api, "_AVATAR", None)
    return calls


def test_concurrent_renders_build_the_avatar_once(monkeypatch):
    calls = _counting_builder(monkeypatch)
    bm = object()
    got, errors = [], []

    def worker():
        try:
            got.append(api._avatar_for(bm, api.RenderOptions()))
        except Exception as e:  # a KeyError here was the old race
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(calls) == 1
    assert len(got) == 4 and all(a is got[0] for a in got)


def test_a_new_body_model_gets_its_own_avatar(monkeypatch):
    calls = _counting_builder(monkeypatch)
    first, second = object(), object()
    a = api._avatar_for(first, api.RenderOptions())
    b = api._avatar_for(second, api.RenderOptions())
    assert a is not b and calls == [first, second]
    assert api._avatar_for(second, api.RenderOptions()) is b


def test_an_explicit_avatar_is_used_as_given(monkeypatch):
    calls = _counting_builder(monkeypatch)
    mine = object()
    assert api._avatar_for(object(), api.RenderOptions(avatar=mine)) is mine
    assert calls == []
