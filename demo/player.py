"""The learning player: a ``gr.HTML`` with its own ``<video>``, controls for learners, and the text
with the current sign or letter highlighted (the script is ``player.js`` beside this file).

A tab wires three outputs of its handler to the player with JavaScript-only event hooks
(no server round trip): the clip's timing (a ``gr.JSON``, :func:`signspark.playback.player_info`),
the pieces of the video while it renders (a ``gr.File`` list; played through Media Source
Extensions), and the finished mp4 (a ``gr.Video``). See :func:`connect`.
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr

__all__ = ["learning_player", "connect", "PLAYER_JS"]

PLAYER_JS = (Path(__file__).with_name("player.js")).read_text(encoding="utf-8")

_CSS = """
.ssp { display: flex; flex-direction: column; gap: 6px; }
.ssp-video { width: 100%; max-width: 512px; aspect-ratio: 1 / 1; background: #f4f4f4; border-radius: 6px; align-self: center; }
.ssp-text { font-size: 1.6em; line-height: 1.5; text-align: center; min-height: 1.5em; letter-spacing: 0.04em; }
.ssp-sign { border-radius: 4px; padding: 0 1px; transition: background 0.08s; }
.ssp-cues { display: flex; flex-wrap: wrap; gap: 4px; justify-content: center; }
.ssp-chip { min-width: 2em; padding: 2px 6px; border: 1px solid #bbb; border-radius: 4px; background: #fff; color: #222; cursor: pointer; }
.ssp-on { background: #ffd54a !important; color: #000 !important; font-weight: bold; box-shadow: 0 0 0 2px #e0a800; }
.ssp-controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; justify-content: center; }
.ssp-group { display: inline-flex; gap: 2px; align-items: center; }
.ssp-label { margin-right: 4px; }
.ssp-controls button { padding: 3px 8px; border: 1px solid #bbb; border-radius: 4px; background: #fafafa; color: #222; cursor: pointer; }
.ssp-controls button[aria-pressed="true"] { background: #3b6fd1; color: #fff; border-color: #3b6fd1; }
.ssp-frame { font-variant-numeric: tabular-nums; min-width: 11em; color: #555; }
"""


def learning_player(player_id: str, elem_id: str) -> gr.HTML:
    """The player component; ``player_id`` names it for :func:`connect` (one per tab)."""
    return gr.HTML(value="", html_template="<div></div>", css_template=_CSS, js_on_load=PLAYER_JS,
                   elem_id=elem_id, player_id=player_id, apply_default_css=False)


def _hook(player_id: str, method: str) -> str:
    return f"(v) => {{ const p = (window.SignSparKPlayers || {{}})[{player_id!r}]; if (p) p.{method}(v); }}"


def connect(player_id: str, info: gr.JSON | None = None, chunks: gr.File | None = None,
            video: gr.Video | None = None) -> None:
    """Pass the handler's outputs to the player in the browser when they change."""
    if info is not None:
        info.change(None, inputs=[info], outputs=None, js=_hook(player_id, "setInfo"), queue=False)
    if chunks is not None:
        chunks.change(None, inputs=[chunks], outputs=None, js=_hook(player_id, "chunks"), queue=False)
    if video is not None:
        video.change(None, inputs=[video], outputs=None, js=_hook(player_id, "finish"), queue=False)
