"""Language identification of an article (py3langid: a model shipped in the wheel).

Pure and cheap (a few ms per article once the model is loaded): the decision says which
language an article is in and whether the pipeline can analyse it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

METHOD = "py3langid 0.4 (normalised probabilities)"
MIN_CONFIDENCE = 0.5      # below this the text is mixed or too short: "und" (undetermined)
SAMPLE_CHARS = 4000       # the title and the opening of the text decide
NAMES = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "sv": "Swedish", "no": "Norwegian", "nb": "Norwegian",
    "da": "Danish", "fi": "Finnish", "pl": "Polish", "cs": "Czech", "sk": "Slovak",
    "ru": "Russian", "uk": "Ukrainian", "tr": "Turkish", "ko": "Korean", "ja": "Japanese",
    "zh": "Chinese", "vi": "Vietnamese", "id": "Indonesian", "ar": "Arabic", "he": "Hebrew",
    "lt": "Lithuanian", "lb": "Luxembourgish", "is": "Icelandic", "hu": "Hungarian",
    "ro": "Romanian", "el": "Greek", "fa": "Persian", "hi": "Hindi", "sw": "Swahili",
    "af": "Afrikaans", "kl": "Greenlandic", "et": "Estonian", "lv": "Latvian",
}


@dataclass(frozen=True)
class Language:
    """The detected language (ISO 639-1, or "und"), its probability, and whether the
    pipeline analyses it; `reason` says why not when it does not."""

    code: str
    confidence: float
    analysed: bool
    reason: str | None

    @property
    def name(self) -> str:
        return language_name(self.code)


def language_name(code: str) -> str:
    """A readable name for an ISO code ("de" → "German"); the code itself if unknown."""
    return NAMES.get(code, "an undetermined language" if code == "und" else code)


@functools.cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(title: str, text: str, analysable: tuple[str, ...] = ("en",)) -> Language:
    """Detect the language of an article from its title and the opening of its text.

    Text too short or too mixed to tell (probability under MIN_CONFIDENCE) is taken to be
    in an analysable language when it is mostly ASCII letters, else "und" and not analysed.
    """
    sample = f"{title}\n{text}"[:SAMPLE_CHARS]
    if not sample.strip():
        return Language("und", 0.0, False, "not analysed: no text")
    code, prob = _identifier().classify(sample)   # stateless: safe from the fetch threads
    code, prob = str(code), float(prob)
    if prob < MIN_CONFIDENCE:
        code = analysable[0] if analysable and _mostly_ascii(sample) else "und"
    if code in analysable:
        return Language(code, round(prob, 3), True, None)
    return Language(code, round(prob, 3), False,
                    f"not analysed: {language_name(code)} ({code}) is not among the "
                    f"analysed languages ({', '.join(analysable)})")


def _mostly_ascii(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isascii() for c in letters) / len(letters) > 0.97
