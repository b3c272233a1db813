"""What API clients are told: paths cut to base names, and each input kind's check (no server needed)."""

from __future__ import annotations

import gradio as gr
import pytest

from demo.errors import input_problem, public_message


@pytest.mark.parametrize("text, expected", [
    ("Clip 'bad': /tmp/x/gradio/0f3a/bad.npz is not a .npz archive", "Clip 'bad': bad.npz is not a .npz archive"),
    ("/srv/app/assets/models/generator: no config.json", "generator: no config.json"),
    ("cannot read '/home/u/my file.npz'.", "cannot read 'my file.npz'."),
    ("see https://huggingface.co/org/repo/tree/main", "see https://huggingface.co/org/repo/tree/main"),
    ("ASL/BSL and 1/2 and lexicon:A stay", "ASL/BSL and 1/2 and lexicon:A stay"),
    ("'/etc' alone", "'/etc' alone"),
    ("two: /a/b/c.json and /d/e/", "two: c.json and e"),
])
def test_public_message_keeps_base_names_only(text, expected):
    assert public_message(text) == expected


def _block(kind, **kw):
    with gr.Blocks():
        return kind(**kw)


@pytest.mark.parametrize("block, value, expected", [
    (_block(gr.Slider, minimum=1, maximum=50, label="Sampling steps"), "NaN",
     "Sampling steps must be a number in [1, 50], got 'NaN'"),
    (_block(gr.Slider, minimum=1, maximum=50, label="Sampling steps"), float("inf"),
     "Sampling steps must be a number in [1, 50], got inf"),
    (_block(gr.Slider, minimum=1, maximum=50, label="Sampling steps"), None,
     "Sampling steps must be a number in [1, 50], got None"),
    (_block(gr.Slider, minimum=1, maximum=50, label="Sampling steps"), 51,
     "Sampling steps must be a number in [1, 50], got 51"),
    (_block(gr.Number, label="Seed"), True, "Seed must be a number, got True"),
    (_block(gr.Number, label="Seed"), "x" * 500,
     "Seed must be a number, got '" + "x" * 39 + "..." + "x" * 9 + "' (502 characters)"),
    (_block(gr.Checkbox, label="Left-handed signer"), "false", "Left-handed signer must be true or false, got 'false'"),
    (_block(gr.Dropdown, choices=[("American", "ASL"), ("British", "BSL")], label="Sign language"), "FSL",
     "Sign language must be one of ASL, BSL."),
    (_block(gr.Dropdown, choices=["a"], label="Model"), {"x": 1}, "Model must be one value, got an object"),
    (_block(gr.Textbox, label="Text"), ["hi"], "Text must be text, got a list"),
    (_block(gr.File, label="Keyframes", file_types=[".npz", ".json"]), "/etc/passwd",
     ('Keyframes must be an uploaded file ({"path": ..., "meta": {"_type": "gradio.FileData"}}; with gradio_client, '
      'handle_file(path)), got text')),
    (_block(gr.File, label="Keyframes", file_types=[".npz", ".json"]),
     {"path": "/srv/x/run.sh", "meta": {"_type": "gradio.FileData"}}, "Keyframes must be a .npz or .json file, got 'run.sh'"),
    (_block(gr.Dataframe, label="Keyframes"), None,
     'Keyframes must be a table {"headers": [...], "data": [[...], ...]}, got null'),
    (_block(gr.Dataframe, label="Keyframes"), {"headers": [], "data": "rows"},
     'Keyframes must be a table {"headers": [...], "data": [[...], ...]}, got an object'),
])
def test_input_problems_name_the_input(block, value, expected):
    assert input_problem(block, value) == expected


@pytest.mark.parametrize("block, value", [
    (_block(gr.Slider, minimum=1, maximum=50), 8), (_block(gr.Number), None), (_block(gr.Number), 10**40),
    (_block(gr.Checkbox), False), (_block(gr.Dropdown, choices=["a"], allow_custom_value=True), "typed"),
    (_block(gr.Textbox), ""), (_block(gr.File, file_types=[".npz"]), None),
    (_block(gr.File, file_types=[".npz"]), {"path": "/g/up/clip.NPZ", "meta": {"_type": "gradio.FileData"}}),
    (_block(gr.Dataframe), {"headers": ["frame", "source"], "data": [[0, "file:0"]]}), (_block(gr.State), object()),
    (_block(gr.File, file_types=["image", ".npz"]), {"path": "/g/up/a.png", "meta": {"_type": "gradio.FileData"}}),
])
def test_good_inputs_pass(block, value):
    assert input_problem(block, value) is None
