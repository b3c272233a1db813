"""Text side of SignSparK: text encoders (built-in, M-CLIP) and the length model.

Language codes and tags live in the sign-language registry, :mod:`signspark.signs.languages`.

Importing this package is cheap (no torch, no transformers); each name is loaded on first use::

    from signspark.text import BuiltinTextEncoder, LengthModel, load_text_encoder, load_mclip
"""

_LAZY = {
    "TextEncoder": "base", "load_text_encoder": "encoder", "register_text_encoder": "encoder",
    "BuiltinTextEncoder": "builtin",
    "LengthModel": "length", "LengthModelConfig": "length", "fit_length_model": "length",
    "MCLIPTextEncoder": "mclip", "load_mclip": "mclip", "mclip_from_official_state_dict": "mclip",
    "TextTooLongError": "mclip",
}

__all__ = [*_LAZY]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"signspark.text.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'signspark.text' has no attribute {name!r}")
