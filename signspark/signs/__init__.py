"""What SignSparK knows about signs and sign languages.

* :mod:`.languages` - the registry: one :class:`SignLanguage` record per language.
* :mod:`.lexicon` - the :class:`Lexicon` interface (text -> sign names -> key poses).
* :mod:`.fingerspelling` - manual alphabets as lexicons; :func:`spell` text -> PoseSequence.
* :mod:`.text_to_letters` - text -> letters of a manual alphabet (:func:`letters`).
* :mod:`.alphabets` - the manual alphabets as data (one module per language).
* :mod:`.handshapes`, :mod:`.placement`, :mod:`.arms`, :mod:`.kinematics` - handshapes as
  MANO angles, hand placement, arm inverse kinematics, a numpy SMPL-X skeleton.
* :mod:`.motion`, :mod:`.signers` - timing and interpolation of a take; simulated signers.

Importing this package is cheap: the registry is plain data, everything else loads on first use::

    from signspark.signs import get_language, spell, letters
    letters("你好", "CSL")            # ['N', 'I', 'H', 'A', 'O']
    seq = spell("Straße", "DGS")      # PoseSequence, one segment per letter, onset/middle/offset keyframes
"""

from .languages import (LANGUAGES, SignLanguage, UnknownLanguageError, get_language, register_language, tag_text,
                        unregister_language)

_LAZY = {
    "Lexicon": "lexicon", "SignForm": "lexicon", "lexicon_for": "lexicon",
    "AlphabetLexicon": "fingerspelling", "spell": "fingerspelling", "spell_tokens": "fingerspelling",
    "letter_keyframes": "fingerspelling", "LetterKeyframes": "fingerspelling",
    "letters": "text_to_letters", "PAUSE": "text_to_letters", "STOP": "text_to_letters",
    "MAX_CHARS": "text_to_letters",
    "SpellingError": "text_to_letters", "UnsupportedCharacterWarning": "text_to_letters",
    "Signer": "signers", "DEFAULT_SIGNER": "signers", "sample_signer": "signers",
}

__all__ = ["LANGUAGES", "SignLanguage", "UnknownLanguageError", "get_language", "register_language",
           "unregister_language", "tag_text", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
