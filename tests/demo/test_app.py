"""The Blocks app as built: endpoints, limits, queue settings and the initial model choice."""

from __future__ import annotations

from demo import handlers as H
from demo.app import build_demo, launch_kwargs


def _components(demo) -> dict:
    return {c.get("props", {}).get("elem_id"): c for c in demo.config["components"]}


def test_api_endpoints_and_initial_model(tmp_path):
    demo = build_demo(default_model=str(tmp_path))
    names = {d["api_name"] for d in demo.config["dependencies"] if d.get("api_name")}
    assert {"text_to_sign", "load_keyframes", "keyframes_to_sign", "segment", "practice_new", "practice_check",
            "video_to_sign"} <= names
    models = [c["props"] for c in demo.config["components"] if c.get("props", {}).get("label") == "Model"]
    assert len(models) == 2 and all(m["value"] == str(tmp_path) for m in models)
    default = [c["props"]["value"] for c in build_demo().config["components"]
               if c.get("props", {}).get("label") == "Model"]
    assert default == [H.BUILTIN, H.BUILTIN]


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
