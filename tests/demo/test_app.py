"""The Blocks app as built: endpoints, limits, queue settings and the initial model choice."""

from __future__ import annotations

import pytest

from demo import handlers as H
from demo.app import build_demo, launch_kwargs
from demo.errors import GuardedBlocks


def _components(demo) -> dict:
    return {c.get("props", {}).get("elem_id"): c for c in demo.config["components"]}


def _model_boxes(demo) -> list[dict]:
    return [c["props"] for c in demo.config["components"] if c.get("props", {}).get("label") == "Model"]


@pytest.fixture
def restore_menu():
    menu = H.model_menu()
    yield
    H.set_model_menu(menu)


def test_api_endpoints_and_initial_model(tmp_path, restore_menu):
    folder = tmp_path / "my-model"
    folder.mkdir()
    demo = build_demo(default_model=str(folder))
    assert isinstance(demo, GuardedBlocks)
    names = {d["api_name"] for d in demo.config["dependencies"] if d.get("api_name")}
    assert {"text_to_sign", "load_keyframes", "keyframes_to_sign", "segment", "practice_new", "practice_check",
            "video_to_sign"} <= names
    models = _model_boxes(demo)
    assert len(models) == 2 and all(m["value"] == "my-model" for m in models)  # the folder's name, not its path
    assert all(str(tmp_path) not in str(m) for m in models)
    assert H.model_menu().source("my-model") == str(folder.resolve())  # named at launch: on the menu
    default = [m["value"] for m in _model_boxes(build_demo())]
    assert default == [H.BUILTIN, H.BUILTIN]


def test_public_menu_offers_builtin_and_official_only(restore_menu):
    models = _model_boxes(build_demo())
    assert all([v for _, v in m["choices"]] == [H.BUILTIN, H.OFFICIAL] for m in models)
    assert not any(m["allow_custom_value"] for m in models)  # nothing to type in


def test_menu_with_allowed_folders_and_any_model(tmp_path, restore_menu):
    for name in ("a/generator", "b/generator"):
        (tmp_path / name).mkdir(parents=True)
    models = _model_boxes(build_demo(allow_models=[tmp_path / "a/generator", tmp_path / "b/generator"]))
    assert [v for _, v in models[0]["choices"]] == [H.BUILTIN, H.OFFICIAL, "a/generator", "b/generator"]
    models = _model_boxes(build_demo(any_model=True, default_model="org/some-model"))
    assert all(m["allow_custom_value"] and m["value"] == "org/some-model" for m in models)


def test_a_hub_repo_as_initial_model_needs_any_model(restore_menu):
    with pytest.raises(ValueError, match="--any-model"):
        build_demo(default_model="org/some-model")


def test_text_box_states_the_limit():
    text = _components(build_demo())["text_in"]["props"]
    assert str(H.MAX_TEXT_CHARS) in text["info"]


def test_launch_settings_limit_uploads_and_concurrency():
    kw = launch_kwargs(concurrency=3, max_queue=7)
    assert kw["queue"] == {"default_concurrency_limit": 3, "max_size": 7}
    assert kw["launch"]["max_file_size"] == f"{H.MAX_UPLOAD_MB}mb"
    assert kw["launch"]["show_error"] is False  # only gr.Error messages reach the page, never tracebacks


def test_warm_up_loads_the_model_and_never_raises(tmp_path, caplog):
    from demo.app import start_warm_up, warm_up

    H._pipelines.pop(H.BUILTIN, None)
    thread = start_warm_up()
    thread.join(timeout=120)
    assert not thread.is_alive() and H.BUILTIN in H._pipelines  # the built-in model is loaded and cached
    assert warm_up(str(tmp_path / "no-such-model")) is None  # a bad model is logged, not raised
    assert "warm-up failed" in caplog.text


def test_warm_render_threads_runs_once_in_each_thread():
    import threading

    seen = []
    assert H.warm_render_threads(lambda: seen.append(threading.get_ident())) == H.RENDER_THREADS == 4
    assert len(set(seen)) == 4  # one run in each of the four render threads
    assert H.warm_render_threads() == 4  # the default: a one-frame render, each thread with its renderer


def test_launch_options_for_models(tmp_path, monkeypatch, capsys):
    import demo.app
    from demo.command import main
    from signspark.cli import main as signspark_main

    calls = []
    monkeypatch.setattr(demo.app, "serve", lambda **kw: calls.append(kw))
    folder = tmp_path / "mine"
    folder.mkdir()
    assert main(["--allow-model", str(folder), "--allow-model", str(tmp_path), "--no-warm-up"]) == 0
    assert calls[-1]["allow_models"] == [str(folder), str(tmp_path)] and calls[-1]["any_model"] is False
    assert main(["--any-model", "--model", "org/some-model"]) == 0 and calls[-1]["any_model"] is True
    for argv in (["--model", "org/some-model"], ["--allow-model", str(tmp_path / "missing")]):
        with pytest.raises(SystemExit) as e:
            main(argv)
        assert e.value.code == 2
    assert "needs --any-model" in capsys.readouterr().err
    assert signspark_main(["demo", "--model", "/no/such/folder"]) == 2 and len(calls) == 2
    assert "--any-model" in capsys.readouterr().err
