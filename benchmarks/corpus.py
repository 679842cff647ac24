"""Deterministic, realistic Japanese note corpora of any size, and questions for them.

The notes look like the shipped ones: `#` headings, top-level bullets with nested
bullets, "term: explanation" bullets and short paragraphs, 10 to 250 characters a
section, Japanese mixed with Latin terms. Words come from the shipped notes plus
generated katakana words, kanji compounds and Latin product names, drawn with a
Zipf-like skew so that a few words are everywhere and most are rare, as in real notes.
"""

from __future__ import annotations

import itertools
import random
import re
from pathlib import Path

SHIPPED_NOTES = Path(__file__).resolve().parent.parent / "corpus" / "notes.md"
SECTIONS_PER_FILE = 50

# Words of the shipped notes: katakana runs, kanji compounds, Latin words.
_WORD = re.compile(r"[\u30a0-\u30ff]{2,}|[\u4e00-\u9fff]{2,}[\u30a0-\u30ff\u4e00-\u9fff]*|[A-Za-z][A-Za-z0-9-]+")
_KATAKANA = (
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
    "ガギグゲゴザジズゼゾダデドバビブベボパピプペポ"
)
_KANJI = (
    "仮想化機能処理管理設定接続通信領域変換実行環境構成制御記憶装置演算命令割込入出力"
    "論理物理分散並列同期非同期暗号認証証明鍵署名圧縮展開索引検索解析字句構文意味型推論"
    "関数変数定数配列辞書集合順序探索整列木構造根葉節点辺重経路最短距離確率統計分布平均"
    "分散標準偏差回帰分類学習訓練評価誤差損失勾配降下層重畳込正規化活性出力入力特徴抽出"
)
_ROMAN = ["ka", "ri", "to", "n", "zo", "ve", "lu", "mi", "sa", "de", "ra", "ko", "ne", "xi", "bo", "ta", "ql"]
_PARTICLE_ENDINGS = ["できる", "する", "した", "してる", "やつ", "が必要", "になる", "ため", "らしい", "", "。", "と便利"]
_TEMPLATES = [
    "{a}は{b}の{c}",
    "{a}で{b}を{c}する{end}",
    "{a}と{b}の違いは{c}",
    "{a}を使って{b}を{c}{end}",
    "{a}が{b}に{c}を渡す{end}",
    "{a}の{b}は{c}と同じ{end}",
    "{a}では{b}より{c}を優先{end}",
    "{a}、{b}、{c}などがある",
]
_QUESTIONS = ["{a}とは？", "{a}と{b}の違いは？", "{a}で{b}を使うには？", "{a}の{b}について教えて", "{a}って何", "{b}の{a}はどうなる？"]


class Vocabulary:
    """Words drawn with weight 1/(i + 10) for the i-th: a Zipf-like skew."""

    def __init__(self, rng: random.Random, size: int = 20_000) -> None:
        seeds = list(dict.fromkeys(_WORD.findall(SHIPPED_NOTES.read_text(encoding="utf-8"))))
        generated = [_made_up_word(rng) for _ in range(size - len(seeds))]
        self.words = seeds + list(dict.fromkeys(generated))
        rng.shuffle(self.words)
        self._cumulative = list(itertools.accumulate(1 / (i + 10) for i in range(len(self.words))))

    def draw(self, rng: random.Random) -> str:
        return rng.choices(self.words, cum_weights=self._cumulative)[0]


def _made_up_word(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:
        return "".join(rng.choices(_KATAKANA, k=rng.randint(2, 5))) + rng.choice(["", "", "ー"])
    if kind < 0.8:
        return "".join(rng.choices(_KANJI, k=rng.randint(2, 4)))
    word = "".join(rng.choices(_ROMAN, k=rng.randint(2, 4)))
    shape = rng.random()
    if shape < 0.3:
        return word.upper()[:4]  # an acronym like KRTO
    if shape < 0.5:
        return f"{word.capitalize()}{rng.randint(2, 12)}"
    return word.capitalize()


def _clause(rng: random.Random, vocab: Vocabulary) -> str:
    template = rng.choice(_TEMPLATES)
    return template.format(a=vocab.draw(rng), b=vocab.draw(rng), c=vocab.draw(rng), end=rng.choice(_PARTICLE_ENDINGS))


def _sentence(rng: random.Random, vocab: Vocabulary) -> str:
    if rng.random() < 0.5:
        return _clause(rng, vocab)
    return f"{_clause(rng, vocab).rstrip('。')}{rng.choice(['、', 'けど、', 'ので、'])}{_clause(rng, vocab)}"


def _section(rng: random.Random, vocab: Vocabulary) -> list[str]:
    """Lines of one section: a bullet with children, a term bullet, or a paragraph."""
    kind = rng.random()
    if kind < 0.45:
        head = vocab.draw(rng) if rng.random() < 0.4 else _sentence(rng, vocab)
        lines = [f"- {head}"]
        for _ in range(rng.choice([0, 1, 2, 2, 3, 4, 5])):
            depth = rng.choice([1, 1, 1, 2])
            lines.append("  " * depth + f"- {_sentence(rng, vocab)}")
        return lines
    if kind < 0.75:
        return [f"- {vocab.draw(rng)}: {_sentence(rng, vocab)}。{_sentence(rng, vocab) if rng.random() < 0.8 else ''}"]
    return ["。".join(_sentence(rng, vocab) for _ in range(rng.randint(1, 4))), ""]


def note_file(rng: random.Random, vocab: Vocabulary, sections: int) -> str:
    lines: list[str] = []
    written = 0
    while written < sections:
        lines += ["", f"# {vocab.draw(rng)}"]
        for _ in range(min(rng.randint(3, 12), sections - written)):
            lines += _section(rng, vocab)
            written += 1
    return "\n".join(lines).lstrip() + "\n"


def write_corpus(folder: Path, sections: int, seed: int = 20240601) -> Path:
    """Write about `sections` sections of notes (the shipped notes included) into folder."""
    rng = random.Random(seed)
    vocab = Vocabulary(rng)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notes.md").write_bytes(SHIPPED_NOTES.read_bytes())
    files = max(1, sections // SECTIONS_PER_FILE)
    for i in range(files):
        subject = folder / f"subject{i % 10:02d}"
        subject.mkdir(exist_ok=True)
        (subject / f"note{i:05d}.md").write_text(note_file(rng, vocab, sections // files), encoding="utf-8")
    return folder


def questions(count: int, seed: int = 7) -> list[str]:
    """Learner-style questions over the same vocabulary as write_corpus."""
    rng = random.Random(seed)
    vocab = Vocabulary(random.Random(20240601))
    return [rng.choice(_QUESTIONS).format(a=vocab.draw(rng), b=vocab.draw(rng)) for _ in range(count)]
