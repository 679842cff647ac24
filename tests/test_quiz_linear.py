"""The quiz costs time linear in the notes: each section is tokenized once, a sentence is
bounded, and the cloze checks look at neighbours, not at every other candidate. Work is
counted here, never timed (timings belong in benchmarks/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.analyzer import core_dictionary
from bot.core.models import Section
from bot.core.morphology import Morphology, shared_morphology
from bot.core.notes import load_corpus
from bot.core.quiz import MAX_PIECE_CHARS, MAX_SENTENCE_CHARS, QuizEngine, analyze_section
from bot.core.quiz import analysis as analysis_module
from bot.core.quiz.analysis import makes_items
from bot.core.quiz import cloze as cloze_module
from bot.core.quiz.cloze import enumerated, listed, occurs_only_whole, spans_ignoring_case

ROOT = Path(__file__).resolve().parent.parent
CORPORA = [ROOT / "corpus", Path(__file__).resolve().parent / "data" / "corpus2"]
CLAUSES = [
    "仮想化ではハイパーバイザがゲストOSの特権命令を処理し",
    "コンテナはLinuxカーネルのコントロールグループと名前空間を使い",
    "VT-xはCPUの仮想化支援機能で",
    "準仮想化ではゲストOSがハイパーコールでハイパーバイザを呼び",
    "NFSはネットワークファイルシステムのプロトコルで",
    "Active Directoryはユーザー管理の仕組みで",
    "拡張ページテーブルはメモリアドレスを変換し",
]


def long_line(chars: int) -> str:
    """One bullet of about `chars` characters with no sentence end, as in issue 11."""
    out, size, n = [], 2, 0
    while size < chars:
        clause = f"{CLAUSES[n % len(CLAUSES)]}{n}番目の例では"
        out.append(clause)
        size += len(clause) + 1
        n += 1
    return "- " + "、".join(out)


def section(text: str) -> Section:
    return Section(file="x.md", line_start=1, line_end=text.count("\n") + 1, headings=("仮想化",), text=text, kind="list")


class CountingMorphology(Morphology):
    def __init__(self) -> None:
        super().__init__(core_dictionary())
        self.texts: list[str] = []

    def morphemes(self, text: str):
        self.texts.append(text)
        return super().morphemes(text)


# --- One tokenization per section ----------------------------------------------------------


def test_given_morphemes_the_section_is_not_tokenized_again():
    shared = shared_morphology()
    for root in CORPORA:
        for s in load_corpus(root).sections:
            counting = CountingMorphology()
            given = analyze_section(s, counting, shared.morphemes(s.text))
            assert counting.texts == []
            assert given == analyze_section(s, counting)
            # without them: once, the whole text (none for a section that makes no items)
            assert counting.texts == ([s.text] if makes_items(s) else [])


# --- Bounded sentences ---------------------------------------------------------------------


def test_a_line_with_no_sentence_end_is_cut_into_short_pieces():
    text = long_line(20_000)
    analysis = analyze_section(section(text), shared_morphology())
    assert len(analysis.sentences) >= 20_000 // MAX_PIECE_CHARS
    for sentence in analysis.sentences:
        assert len(sentence.text) <= MAX_PIECE_CHARS
        assert sentence.text in text
        assert not sentence.text.startswith("、") and not sentence.text.endswith("、")
        for c in sentence.candidates:
            assert sentence.text[c.begin : c.end] == c.surface


def test_a_sentence_up_to_the_limit_is_kept_whole():
    sentence = "、".join(CLAUSES)  # one sentence, under MAX_SENTENCE_CHARS
    assert len(sentence) <= MAX_SENTENCE_CHARS
    analysis = analyze_section(section(f"- {sentence}。"), shared_morphology())
    assert [s.text for s in analysis.sentences] == [f"{sentence}。"]


def test_a_long_stretch_with_no_place_to_cut_is_skipped():
    text = "- ああ" + "仮想化" * 200 + "、コンテナはカーネルを共有して動く"
    analysis = analyze_section(section(text), shared_morphology())
    assert [s.text for s in analysis.sentences] == ["コンテナはカーネルを共有して動く"]


def test_items_of_a_20000_character_line_are_made_and_short():
    text = long_line(20_000)
    engine = QuizEngine([section(text)])
    items = engine.items
    assert len(items) >= 50
    for item in items:
        assert len(item.question) <= MAX_PIECE_CHARS + 20


# --- Work grows linearly with the line -------------------------------------------------------


def work(chars: int, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Morphemes looked at by the analysis, characters scanned and neighbours looked at by
    the cloze choice, for one line of `chars` characters."""
    counts = {"morphemes": 0, "scanned": 0, "neighbours": 0}
    real_candidates, real_spans, real_separators = (
        analysis_module.candidates_in,
        cloze_module.spans_ignoring_case,
        cloze_module._only_separators,
    )

    def candidates_in(source, morphemes, offset=0):
        counts["morphemes"] += len(morphemes)
        return real_candidates(source, morphemes, offset)

    def spans(needle, text):
        counts["scanned"] += len(text)
        return real_spans(needle, text)

    def separators(between):
        counts["neighbours"] += 1
        return real_separators(between)

    monkeypatch.setattr(analysis_module, "candidates_in", candidates_in)
    monkeypatch.setattr(cloze_module, "spans_ignoring_case", spans)
    monkeypatch.setattr(cloze_module, "_only_separators", separators)
    text = long_line(chars)
    morphemes = shared_morphology().morphemes(text)
    engine = QuizEngine([section(text)], analyses=[analyze_section(section(text), shared_morphology(), morphemes)])
    assert engine.items
    assert counts["morphemes"] <= len(morphemes)  # each morpheme looked at once
    return counts


def test_work_on_a_long_line_grows_linearly(monkeypatch):
    small, large = work(5_000, monkeypatch), work(20_000, monkeypatch)
    for name in small:
        assert 0 < large[name] <= 5 * small[name], (name, small, large)  # 4x the text, not 16x


# --- The linear cloze checks agree with the quadratic ones they replace ----------------------


def old_enumerated(c, sentence) -> bool:
    """The former check: every other candidate of the sentence."""
    text = sentence.text
    for other in sentence.candidates:
        between = text[c.end : other.begin] if other.begin >= c.end else text[other.end : c.begin]
        if other is not c and between.strip() and set(between.strip()) <= set("、,，・/／") and len(between) <= 2:
            return True
    return False


def old_occurs_only_whole(sentence, c) -> bool:
    whole = [(o.begin, o.end) for o in sentence.candidates if o.key == c.key]
    for start, stop in spans_ignoring_case(c.surface, sentence.text):
        if not any(begin <= start and stop <= end for begin, end in whole):
            return False
    return True


def test_linear_checks_give_the_old_answers_on_the_notes():
    compared = 0
    for root in CORPORA:
        for analysis in QuizEngine(load_corpus(root).sections)._analyses:
            for sentence in analysis.sentences:
                found = sentence.candidates
                for index, c in enumerate(found):
                    whole = sorted((o.begin, o.end) for o in found if o.key == c.key)
                    assert occurs_only_whole(sentence.text, c, whole) == old_occurs_only_whole(sentence, c)
                    old = old_enumerated(c, sentence)
                    if old or not any(ch in sentence.text for ch in "()（）-"):
                        assert enumerated(found, index, sentence.text) == old, (sentence.text, c.surface)
                    compared += 1
                # All at once, each pair of neighbours looked at once: the same answers.
                assert listed(found, sentence.text) == [enumerated(found, i, sentence.text) for i in range(len(found))]
    assert compared > 300
