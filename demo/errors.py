"""What a visitor or an API client is told when a request fails: a message naming the problem,
never a traceback and never a path of the server.

Gradio answers ``{"error": null}`` (no message) for every exception but :class:`gradio.Error`
unless the app is launched with ``show_error=True``, and that would also send the text of
Gradio's own internal errors, some of which name the server's working and temp folders. So the
demo keeps ``show_error=False`` and makes sure every failure is a :class:`gradio.Error`:

* the handlers turn library errors into :class:`gradio.Error` (``demo.handlers``), their text
  passed through :func:`public_message`, which replaces absolute paths by base names;
* :class:`GuardedBlocks` checks what Gradio itself handles before a handler runs (the number of
  inputs, each input's kind, the range of a slider, the choices of a menu, a file that was not
  uploaded) and answers with the input's label: ``Sampling steps must be a number in [1, 50],
  got 'NaN'``, not an empty error; whatever else fails there or while the results are packed is
  still a message (the details go to the server log).

:class:`GuardedBlocks` also keeps each session's table of components from growing with every
request (:func:`forget_replaced_components`).
"""

from __future__ import annotations

import logging
import math
import numbers
import re
from typing import Any

import gradio as gr
from gradio.exceptions import InvalidPathError

from demo.models import refusal

__all__ = ["public_message", "input_problem", "GuardedBlocks", "forget_replaced_components", "exception_handlers"]

logger = logging.getLogger(__name__)

# An absolute path of two or more parts (not inside a URL or a word): /srv/x/clip.npz -> clip.npz
_PATH = re.compile(r"(?<![\w.:/~\\-])(?:/[^\s'\"`<>|;,()\[\]{}:/]+){2,}/?")


def public_message(text: str) -> str:
    """``text`` with every absolute path replaced by its base name (the upload's own name, for
    a file in Gradio's upload folder), so that a message shows no folder of the server."""
    return _PATH.sub(lambda m: m.group(0).rstrip("/").rsplit("/", 1)[-1], text)


def _label(block, index: int) -> str:
    if getattr(block, "stateful", False):
        return "the session's state (send null)"
    return str(getattr(block, "label", None) or f"Input {index + 1}")


def _show(value: Any) -> str:
    text = repr(value)
    return public_message(text if len(text) <= 60 else f"{text[:40]}...{text[-10:]} ({len(text)} characters)")


def _kind(value: Any) -> str:
    kinds = {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}
    return kinds.get(type(value), type(value).__name__)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_file_data(value: Any) -> bool:
    """Gradio's FileData as it validates it: a path and ``meta: {"_type": "gradio.FileData"}``."""
    return (isinstance(value, dict) and isinstance(value.get("path"), str) and isinstance(value.get("meta"), dict)
            and value["meta"].get("_type") == "gradio.FileData")


def input_problem(block, value: Any, index: int = 0) -> str | None:
    """What is wrong with ``value`` (the raw payload an API client sent) for input ``block``, or None.

    Checks what Gradio checks before a handler runs, for the components the demo uses; the
    handler then checks the meaning (ranges of the options, the text's length, the file's content).
    """
    if getattr(block, "stateful", False):
        return None  # session state never comes from the client
    if value is None and not isinstance(block, (gr.Slider, gr.Dataframe)):
        return None  # "nothing given" is for the handler to judge (Gradio cannot read None for these two)
    label = _label(block, index)
    if isinstance(block, (gr.Slider, gr.Number)):
        lo, hi = getattr(block, "minimum", None), getattr(block, "maximum", None)
        span = f" in [{lo:g}, {hi:g}]" if isinstance(block, gr.Slider) and lo is not None and hi is not None else ""
        if not _is_number(value) or not math.isfinite(value) or (span and not lo <= value <= hi):
            return f"{label} must be a number{span}, got {_show(value)}"
    elif isinstance(block, gr.Checkbox):
        if not isinstance(value, bool):
            return f"{label} must be true or false, got {_show(value)}"
    elif isinstance(block, (gr.Dropdown, gr.Radio)):
        values = [v for _, v in block.choices]
        if getattr(block, "multiselect", False):
            if not isinstance(value, list):
                return f"{label} must be a list of choices, got {_kind(value)}"
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            if not getattr(block, "allow_custom_value", False) and value not in values:
                return refusal(label, values)
        else:
            return f"{label} must be one value, got {_kind(value)}"
    elif isinstance(block, gr.Textbox):
        if not isinstance(value, str):
            return f"{label} must be text, got {_kind(value)}"
    elif isinstance(block, gr.File):
        files = value if getattr(block, "file_count", "single") != "single" and isinstance(value, list) else [value]
        if not all(_is_file_data(f) for f in files):
            return (f"{label} must be an uploaded file ({{\"path\": ..., \"meta\": {{\"_type\": "
                    f"\"gradio.FileData\"}}}}; with gradio_client, handle_file(path)), got {_kind(value)}")
        types = getattr(block, "file_types", None) or []
        suffixes = [t.lower() for t in types] if all(t.startswith(".") for t in types) else []  # else: Gradio's
        for f in files:
            name = f["path"].replace("\\", "/").rsplit("/", 1)[-1]
            if suffixes and not name.lower().endswith(tuple(suffixes)):
                return f"{label} must be a {' or '.join(suffixes)} file, got {_show(name)}"
    elif isinstance(block, gr.Dataframe):
        if not (isinstance(value, dict) and isinstance(value.get("data"), list)
                and all(isinstance(row, list) for row in value["data"])
                and isinstance(value.get("headers"), list)):
            return f"{label} must be a table {{\"headers\": [...], \"data\": [[...], ...]}}, got {_kind(value)}"
    return None


def _endpoint(block_fn) -> str:
    name = getattr(block_fn, "api_name", None) or getattr(block_fn, "name", None) or "this endpoint"
    return name if name.startswith("/") or name == "this endpoint" else f"/{name}"


class GuardedBlocks(gr.Blocks):
    """:class:`gradio.Blocks` whose requests fail with a message, never with an empty error.

    Before Gradio reads a request's inputs, their number and kinds are checked
    (:func:`input_problem`); errors Gradio raises while reading them or while packing the
    results become :class:`gradio.Error` with a short message (the exception is logged).
    """

    async def preprocess_data(self, block_fn, inputs, state, *args, **kwargs):
        inputs = list(inputs) if isinstance(inputs, (list, tuple)) else inputs
        if not isinstance(inputs, list):
            raise gr.Error(f"{_endpoint(block_fn)}: the inputs must be a list of values, got {_kind(inputs)}",
                           print_exception=False)
        wanted = block_fn.inputs
        if len(inputs) != len(wanted):
            labels = ", ".join(_label(b, i) for i, b in enumerate(wanted))
            raise gr.Error(f"{_endpoint(block_fn)} takes {len(wanted)} input(s) ({labels}), got {len(inputs)}",
                           print_exception=False)
        props = set(getattr(block_fn, "component_prop_inputs", None) or ())
        for i, (block, value) in enumerate(zip(wanted, inputs)):
            problem = None if i in props else input_problem(block, value, i)
            if problem:
                raise gr.Error(problem, print_exception=False)
        try:
            return await super().preprocess_data(block_fn, inputs, state, *args, **kwargs)
        except gr.Error as e:
            e.message = public_message(str(e.message))
            e.print_exception = False  # an input refused, not a fault of the server
            raise
        except InvalidPathError:
            files = [_label(b, i) for i, b in enumerate(wanted) if isinstance(b, gr.File)] or ["A file"]
            raise gr.Error(f"{' / '.join(files)}: the file was not uploaded to this server; upload it first "
                           f"(with gradio_client, handle_file(path))", print_exception=False) from None
        except Exception as e:
            logger.info("%s: inputs not read: %s: %s", _endpoint(block_fn), type(e).__name__, e)
            raise gr.Error(f"{_endpoint(block_fn)}: the inputs could not be read ({type(e).__name__}); the API "
                           f"page (?view=api) lists each input's kind", print_exception=False) from None

    async def postprocess_data(self, block_fn, predictions, state, *args, **kwargs):
        try:
            return await super().postprocess_data(block_fn, predictions, state, *args, **kwargs)
        except gr.Error:
            raise
        except Exception as e:
            logger.exception("%s: results not sent", _endpoint(block_fn))
            raise gr.Error(f"{_endpoint(block_fn)}: the server could not send its results ({type(e).__name__}); "
                           f"the details are in the server log", print_exception=False) from None
        finally:
            if state is not None:
                forget_replaced_components(state, self.blocks)


def forget_replaced_components(state, app_blocks) -> int:
    """Keep a session's table of components to the app's own; returns how many entries went.

    For an output left unchanged (``gr.skip()``) Gradio 6 makes a new component, stores it under
    the output's id and, when the output's next value comes, also under the copy's own new id,
    with its config: five such entries per text-to-sign request, kept for the session's life (a
    client sending requests in one session grew the server by about 0.2 MB per request). The app
    makes no components per session (no ``gr.render``), so entries under other ids are dropped.
    """
    blocks = getattr(getattr(state, "blocks_config", None), "blocks", None)
    if not isinstance(blocks, dict):
        return 0
    stray = [k for k in blocks if k not in app_blocks]
    for k in stray:
        del blocks[k]
        getattr(state, "config_values", {}).pop(k, None)
    return len(stray)


def exception_handlers() -> dict:
    """Handlers for the server's FastAPI app (``launch(app_kwargs={"exception_handlers": ...})``) for errors
    Gradio raises outside any handler: a call to an endpoint the app does not have was answered
    ``500 Internal Server Error`` (no message) and logged with a traceback; it gets a 404 naming it."""
    from fastapi.responses import JSONResponse
    from gradio.route_utils import FnIndexInferError

    def unknown_endpoint(request, exc):
        name = str(request.path_params.get("api_name", "")) or str(exc).rsplit(": ", 1)[-1]
        name = public_message(name if len(name) <= 60 else f"{name[:40]}... ({len(name)} characters)")
        logger.info("a call to an unknown endpoint: /%s", name)
        return JSONResponse({"detail": f"There is no API endpoint /{name}: the API page (?view=api) lists this "
                                       f"app's endpoints."}, status_code=404)

    return {FnIndexInferError: unknown_endpoint}
