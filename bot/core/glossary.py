"""The learner's glossary: other names of the words of their notes.

A notes file named 用語集.md or glossary.md (any case, in any folder of the notes) is a
glossary. Each of its lines that names two or more forms joined by = (or ＝) makes
those forms one word in questions:

    - EPT = 拡張ページテーブル = Extended Page Tables

A question saying EPT also searches 拡張ページテーブル and Extended Page Tables, and
a section holding any of them covers it (see bot/core/refusal.py). The file stays a
note like any other: searched, shown, and quizzed. Lines without = are ignored here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.core.analyzer import Analyzer
from bot.core.models import Section
from bot.core.refusal import Concept, spelling

GLOSSARY_NAMES = frozenset({"用語集.md", "glossary.md"})
# A form longer than this is a sentence, not a name.
MAX_FORM_CHARS = 60
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+")
_EQUALS = re.compile(r"\s*[=＝]\s*")
_NAME = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ\u30a1-\u30fa]")


def glossary_hint(words: Sequence[str]) -> str:
    """What a learner reads when a question was refused and its words are not in the
    notes: those words, and the glossary line that would give one of them the notes'
    own name. Empty when there are no such words."""
    if not words:
        return ""
    listed = f"ノートに出てこない言葉: {'、'.join(words)}"
    # A name (Latin letters or katakana: EEVDF, シャーディング) is what notes often write
    # another way; a plain word (明日) is not worth a glossary line.
    name = next((w for w in words if _NAME.search(w)), "")
    if not name:
        return listed
    return f"{listed}\nノートで別の名前で書いているなら、用語集.md に「- {name} = ノートでの名前」と書くと、その名前でも探せます。"


def is_glossary(file: str) -> bool:
    """Whether a notes file (its path relative to the notes folder) is a glossary."""
    return file.rpartition("/")[2].lower() in GLOSSARY_NAMES


@dataclass(frozen=True, slots=True)
class Glossary:
    """term sequences -> the other names of the word they spell."""

    names: dict[tuple[str, ...], tuple[tuple[str, ...], ...]]
    longest: int  # the most terms a name has

    @classmethod
    def from_sections(cls, sections: Iterable[Section], analyzer: Analyzer) -> Glossary:
        """The glossary lines of the sections of glossary files; the empty glossary when
        there are none."""
        groups: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
        for section in sections:
            if not is_glossary(section.file):
                continue
            for line in section.text.splitlines():
                forms = [spelling(analyzer, form) for form in glossary_forms(line)]
                forms = [f for f in dict.fromkeys(forms) if f]
                if len(forms) < 2:
                    continue
                for form in forms:
                    groups.setdefault(form, set()).update(f for f in forms if f != form)
        names = {form: tuple(sorted(others)) for form, others in groups.items()}
        return cls(names, max(map(len, names), default=0))

    def aliases(self, concepts: Sequence[Concept]) -> list[tuple[int, int, tuple[tuple[str, ...], ...]]]:
        """(first, last, names): concepts[first..last] spell a glossary word, whose other
        names are names; longest words first, never overlapping, in question order."""
        found = []
        i = 0
        while i < len(concepts) and self.names:
            for last in range(min(len(concepts), i + self.longest) - 1, i - 1, -1):
                spelt = tuple(p for c in concepts[i : last + 1] for p in c.pieces)
                others = self.names.get(spelt)
                if others:
                    found.append((i, last, others))
                    i = last
                    break
            i += 1
        return found


def glossary_forms(line: str) -> list[str]:
    """The forms a glossary line names ("- EPT = 拡張ページテーブル" -> EPT,
    拡張ページテーブル); none for a line without =, or with a form too long to be a name."""
    if "=" not in line and "＝" not in line:
        return []
    forms = [f.strip() for f in _EQUALS.split(_LIST_MARK.sub("", line, count=1))]
    if len(forms) < 2 or not all(forms) or any(len(f) > MAX_FORM_CHARS for f in forms):
        return []
    return forms

