"""Comparison questions: 「AとBの違い」「AとBはどう違う」「A vs B」 name two things, and a
learner wants each one's own section, not the sentence that names both.

comparison(question) gives (A, B) for such a question, None for any other; the search
ranks A and B each on its own and puts their best sections first (search.py).
"""

from __future__ import annotations

import re

# What says the question compares: a word of difference or choice.
_CUE = re.compile(r"違い|違う|ちがい|ちがう|比較|\bvs\.?(?=\s|$)|\bversus\b", re.I)
# A, then と / vs / and, then B up to the first particle or mark that ends a noun phrase.
_PAIR = re.compile(
    r"^\s*(?P<a>[^、,。？?！!\s](?:[^、,。？?！!]*?[^、,。？?！!\s])?)\s*"
    r"(?:と(?!は)|\s+vs\.?\s+|\s+versus\s+|\s*[／/]\s*)\s*"
    r"(?P<b>[^、,。？?！!\s](?:[^、,。？?！!]*?[^、,。？?！!\s])?)\s*"
    r"(?=の違い|の差|の比較|は|って|、|,|が|を|では|なら|[？?]|\s*$|\s+(?:vs|difference))",
    re.I,
)
# Longest either side may be: longer means the split took a sentence, not a name.
_MAX_SIDE = 20
# Hiragana other than の in a side means it took words of the sentence (子でどう違う).
_SENTENCE_KANA = re.compile("[\u3041-\u306d\u306f-\u3096]")


def comparison(question: str) -> tuple[str, str] | None:
    """(A, B) when question compares two named things, else None."""
    if not _CUE.search(question):
        return None
    match = _PAIR.search(question)
    if match is None:
        return None
    a, b = match["a"].strip(), match["b"].strip()
    for side in (a, b):
        if not side or len(side) > _MAX_SIDE or _SENTENCE_KANA.search(side):
            return None
    if a.casefold() == b.casefold():
        return None
    return a, b
