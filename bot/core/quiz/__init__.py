"""Quiz items generated from the notes themselves; there is no hand-written question bank.

Four kinds:
- term:   a "term: explanation" line (or a short label bullet with nested bullets) shows
          the explanation and asks for the term;
- reveal: the reverse, shows the term and reveals the explanation (self-graded);
- choice: the explanation with four terms to pick from;
- cloze:  a sentence with its most salient term blanked.

The rules
---------
Only prose makes items. A section of kind code, table or math makes none; paragraphs,
list items and quotes do. Nothing under a heading that says the learner has not
understood it yet makes items (わからなかったこと, 疑問, 不明点, よくわからない ...:
analysis.UNCLEAR_HEADINGS): those are questions, not facts to be quizzed on. Inside a section, fenced code and table rows are skipped, and
so are log entries (a line starting with a time, "10:30 ..."), sentences holding TeX
math (\\times, \\frac ...) and lead-ins ending with a colon ("PgBouncer のプールモード:").

A "term: explanation" line (or a label bullet whose first nested bullet explains it)
makes term, reveal and choice items only when
- the term is a term: a noun phrase of at most 30 characters with no particle, verb or
  sentence mark (an adjectival head may start it: 完全仮想化, ダイレクトマップ方式); not a
  label of an aside or of a part of a note (How, What, Why, When, Where, 例, 例えば, メモ,
  参照, ポイント, 注意, 結論, Note, TODO, Q, A, Before, After, Input, Output, メリット,
  デフォルト, 関連 ..., see terms.LABELS), also when numbered (Step 1, 手順1, Q2); not a
  value (None, true); not a number, a date or a version (404, 2024-01-02, v1.2.3); no
  arrow, operator, range, code call or unbalanced bracket (クライアント → サーバ,
  Persistent=true, make(chan int)); not a condition (TLBミス時, 起動前); not made of
  generic words alone; a Latin term has at most four words and none that makes it a
  sentence (is, can, this);
- the explanation explains: 6 to 300 characters, not one token (a URL, a path, a file
  name, a number, a date, a single word), not a key and its value ("none: ..."), with
  at least two content words (nouns, verbs, adjectives; not numbers or counters)
  outside any URL.

A cloze blank is a term a teacher would ask for, never filler. The candidates are runs
of nouns (compounds, Latin words joined by - . _ /, a number glued to a noun), trimmed
of a leading adverbial noun or determiner (うち距離, 各レコード) and of a trailing kana
adverbial, hiragana word or count (入力そのまま, オプションなし, ディスク6台). Never a
candidate: a word of GENERIC_WORDS (こと, ため, 方法, 方式, 可能性, 長さ, まま, 使用, 場合,
状態, 用語 ...), a noun Sudachi marks as doubling for an adverb (名詞-普通名詞-副詞可能:
まま, 場合, 以外, 全て, 一部, 以降) or a counter (助数詞可能: 箇所, 時間), a one-character
word, a number, anything in a URL. Never blanked ("weak" or rejected in the sentence):
a lone verbal or adjectival noun (サ変可能 使用, 実行; 形状詞可能 必要, 便利), a word in
hiragana alone (べき), a person's name alone (田中), a short option (-sh), a short
lowercase value or unit (ff, ns), a quantity (32ビット, 50ns, 490 ms, 32 ビット), a count
among other numbers, half a token (v2 of v2.3.0, bin/bash after "/", \\timing), the term
the line defines, a word listed in the sentence (A、B、C; A（x）、B; " / "), a word also
found inside a longer word of the sentence (OS in ゲストOS), a blank that leaves under
10 characters to read, or one with nothing left to go on (no other term in the
sentence and no defined term before it). Of the rest, the most salient is blanked: rare
in the notes (idf), then Latin, proper nouns, katakana and compounds score higher.

A sentence is cut at 。！？ outside round brackets; one longer than 300 characters is
cut at 、 or spaces into pieces of at most 150, and a stretch with no such place is
skipped. So every sentence costs a bounded amount and a section costs time linear in
its length.

Multiple-choice distractors are other defined terms of the same kind as the answer
(terms.term_kind, ignoring a trailing aside in brackets): Latin (VT-x, ASIC) with Latin,
katakana with katakana, kanji compounds with kanji compounds, mixed with mixed; nearest
in the notes first (same section, heading path, top-level heading, folder, then
anywhere). A Japanese answer may take other Japanese terms when its kind has too few;
Latin and Japanese never mix. No three distractors, no choice item.

Item ids hash the kind, the source line and the answer, so the same notes give the same
ids after a restart, and editing one line only renews the items made from it. A line
copied into several sections gives its items from its first place only.

Layout: terms.py (candidates, term and filler rules), analysis.py (a section's
definitions and sentences, and their JSON for the cache), cloze.py (which word to
blank), choice.py (distractors, option order), engine.py (QuizEngine and choosing
items to ask).
"""

from bot.core.models import Kind, QuizItem
from bot.core.quiz.analysis import (
    MAX_PIECE_CHARS,
    MAX_SENTENCE_CHARS,
    QUIZ_KINDS,
    Definition,
    SectionAnalysis,
    Sentence,
    analysis_from_json,
    analysis_to_json,
    analyze_section,
)
from bot.core.quiz.choice import CHOICE_COUNT
from bot.core.quiz.cloze import BLANK, MIN_CLOZE_CHARS
from bot.core.quiz.engine import (
    ID_LENGTH,
    QuizEngine,
    QuizFacts,
    StoredItems,
    generate_items,
    gives_away,
    item_id,
    items_from_json,
    items_to_json,
    plan_round,
    quiz_for_sections,
)
from bot.core.quiz.terms import (
    GENERIC_WORDS,
    LABELS,
    MAX_TERM_CHARS,
    MIN_EXPLANATION_CHARS,
    Candidate,
    candidates,
    explains,
    is_term,
    term_kind,
)

__all__ = [
    "BLANK",
    "CHOICE_COUNT",
    "GENERIC_WORDS",
    "ID_LENGTH",
    "LABELS",
    "MAX_PIECE_CHARS",
    "MAX_SENTENCE_CHARS",
    "MAX_TERM_CHARS",
    "MIN_CLOZE_CHARS",
    "MIN_EXPLANATION_CHARS",
    "QUIZ_KINDS",
    "Candidate",
    "Definition",
    "Kind",
    "QuizEngine",
    "QuizFacts",
    "QuizItem",
    "SectionAnalysis",
    "Sentence",
    "StoredItems",
    "analysis_from_json",
    "analysis_to_json",
    "analyze_section",
    "candidates",
    "explains",
    "generate_items",
    "gives_away",
    "is_term",
    "item_id",
    "items_from_json",
    "items_to_json",
    "plan_round",
    "quiz_for_sections",
    "term_kind",
]
