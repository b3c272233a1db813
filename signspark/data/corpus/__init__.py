"""The built-in fingerspelling corpus and alphabet lexicon.

Fingerspelling is real signing that can be described exactly, so it serves as
the offline default: the manual alphabets of ASL, BSL (two-handed), DGS and CSL
(the Chinese manual alphabet) are written as MANO finger angles plus hand
placement (:mod:`.alphabets`, :mod:`.handshapes`), arms are solved by inverse
kinematics (:mod:`.arms`), and takes get natural timing, coarticulation and
signer variation (:mod:`.motion`, :mod:`.signers`).

* :func:`spell` - text -> fingerspelled PoseSequence with one segment per letter (inference).
* :func:`letter_keyframes` - the onset/middle/offset keyframes of a spelled text.
* :func:`letters` - text -> letter names (German umlauts/ß/SCH, pinyin ZH/CH/SH/NG).
* :func:`build_corpus` - official-schema LMDB train/dev/test files (``signspark corpus``).
"""

from .lexicon import LetterKeyframes, letter_keyframes, spell, spell_tokens
from .text_to_letters import MAX_CHARS, PAUSE, SpellingError, UnsupportedCharacterWarning, letters

__all__ = ["spell", "spell_tokens", "letter_keyframes", "LetterKeyframes", "letters", "PAUSE", "MAX_CHARS",
           "SpellingError", "UnsupportedCharacterWarning", "build_corpus", "CorpusConfig"]


def __getattr__(name):  # the corpus builder pulls in the LMDB writer; load it on demand
    if name in ("build_corpus", "CorpusConfig"):
        from . import generate

        return getattr(generate, name)
    raise AttributeError(name)
