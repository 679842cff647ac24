"""Candidate terms and the rules for what is a term, what explains one and what is filler.

A candidate is a run of morphemes a cloze may blank: nouns and noun compounds, Latin
words joined by - . _ / (VT-x, Node.js), a number glued to a noun (3ウェイハンドシェイク).
Filler is never a candidate: generic words (GENERIC_WORDS) and the nouns Sudachi marks
as doubling for an adverb or a counter (名詞-普通名詞-副詞可能: まま, 場合, 以外;
名詞-普通名詞-助数詞可能: 箇所, 時間), and any one-character word. A candidate made of one
verbal or adjectival noun alone (サ変可能: 使用, 実行; 形状詞可能: 必要, 便利) is "weak":
kept for the keys, never blanked.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.morphology import Morpheme, Morphology, morphemes_key

MAX_TERM_CHARS = 30
MIN_EXPLANATION_CHARS = 6  # what is left to read once the term is blanked
MAX_EXPLANATION_CHARS = 300  # longer is a passage to read, not a definition to recall

# Words that carry no topic: a teacher would never blank them or ask for them. Nouns
# Sudachi tags 副詞可能 or 助数詞可能 (まま, 場合, 全て, 一部, 以降, 箇所 ...) are filler by
# their part of speech and need not be listed (see is_generic).
GENERIC_WORDS = frozenset(
    """
    こと 事 もの 物 ため 為 やつ 奴 方法 時 とき 場合 他 ほか 外 意味 必要 感じ 全部 全て 方 点 所
    ところ 今 前 後 上 下 中 間 際 以上 以下 普通 部分 種類 一つ 互い 本物 具体 具体的 自由 完全
    大事 重要 簡単 便利 問題 状態 例 例え 結果 理由 目的 仕組み 使用 利用 場所 対応 代わり 影響
    本当 最初 最後 自分 皆 みんな 的 系 用 向け 同じ 様 よう 通り 程度 説明 話 今回 次 別
    ほう 辺 たち 達 人 内容 それぞれ 各 何 なに 全体 一般 基本 主 最近 色々 いろいろ 様々
    可能 可能性 不可能 長さ 大きさ 高さ 広さ 深さ 重さ 速さ 強さ 多さ 良さ まま 以外 一部 多く 以前
    以降 状況 手段 方向 形 量 数 値 割合 範囲 対象 段階 時点 場面 ケース 個数 回数 期間 最大
    最小 最新 特徴 用途 違い 関係 手順 作業 一覧 確認 注意 部 側 先 元 分 等 など 類 旨 件
    もと 数値 値段 全般 一方 両方 片方 同様 同時 以内 未満 前後 直後 直前 途中 最中 今後 以後
    事前 事後 実際 普段 通常 一度 一緒 自体 本来 当然 十分 充分 相手 相互 個別 共通 独自 特定
    本文 文章 記事 上記 下記 前述 後述 項目 箇条書き 順番 順序 答え 何回 何度 何個 何らか 何種類 用語 単語 言葉 デフォルト 読み書き 方式 手法 仕方 差分
    数字 複数 単数 行単位
    """.split()
)

# Labels of asides and of the parts of a note, not terms: "例: ...", "How: ...", "Step 1: ...".
# Compared NFKC and case-folded, after a trailing number is dropped (手順1, Q2, Step 3).
LABELS = frozenset(
    """
    how what why when where who which whom whose
    例 例えば たとえば 具体例 注意 注 注意点 メモ 参照 参考 参考文献 出典 引用 リンク ポイント 結論 感想
    答え 解答 回答 正解 質問 問題 問い 課題 まとめ 要約 概要 追記 補足 備考 ヒント 目次 はじめに おわりに
    理由 目的 結果 原因 背景 前提 対策 解決策 方法 やり方 使い方 手順 ステップ 流れ 特徴 用途 メリット
    デメリット 利点 欠点 長所 短所 良い点 悪い点 気づき 学び わかったこと わからなかったこと 疑問 感想
    振り返り 次回 今回 やること やったこと todo done wip fixme note notes memo tip tips hint warning
    caution important info example examples e.g. eg ex url link links ref refs reference references see
    summary overview abstract conclusion background motivation problem solution answer question
    q a step steps phase part chapter section page before after input output result results
    pros cons good bad ok ng yes no 良い例 悪い例 ok例 ng例 入力 出力 出力例 入力例 実行例 使用例
    前 後 変更前 変更後 その 第 章 節 日付 date title tags tag lastmod aliases author version
    デフォルト default 推奨 おすすめ 使いどころ 使用例 具体的には 補足説明 コツ 要点 前提条件
    none null nil true false yes no on off auto 関連 関連ノート 関連リンク 関連項目 related
    """.split()
)

_LABEL_NUMBER = re.compile(r"(?:[\s.\-_#:：]*(?:\d+|[①-⑳]|[一二三四五六七八九十]+)|[\s.\-_#:：]+[a-z])[.)）]?$")
# A number, a date, a time or a version, not a term: 404, 2024-01-02, 12:30, v1.2.3, 第3版.
_NUMBER_LIKE = re.compile(r"^[v#№第]?\d[\d.,:/\-~年月日時分秒版回期章節]*[a-z]?$")
_LATIN = re.compile(r"[A-Za-z]")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_KANJI_ONLY = re.compile(r"^[\u3400-\u9fff々]+$")
_KATAKANA_ONLY = re.compile(r"^[\u30a0-\u30ffー・]+$")
_PARENTHETICAL = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")
_KANA_HIRAGANA = re.compile(r"[\u3040-\u309f]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HIRAGANA_ONLY = re.compile(r"^[\u3040-\u309fー]+$")
_SENTENCE_MARKS = ("。", "、", "，", "！", "？")
# Arrows, operators and ranges: a step, an assignment or code, not a term.
# Prefixes that pick out which one, not what: 各レコード is レコード.
_DETERMINER_PREFIXES = frozenset("各 両 同 当 該 諸 毎 某".split())
_CALL = re.compile(r"[A-Za-z_]\(")  # code: make(chan int), len(x)
_CONDITION_ENDS = ("時", "とき", "場合", "前", "後", "中")
_NOT_IN_TERMS = re.compile(r"[→←↔⇒⇔=<>{}\[\];|]|\.\.|->|=>")
# English words that make a Latin run a sentence or a question, not a name.
_ENGLISH_FUNCTION_WORDS = frozenset(
    "is are was were be been do does did can could should would will shall may might must "
    "i you he she we they it this that these those my your our its not don't doesn't isn't".split()
)
_MAX_LATIN_TERM_WORDS = 4

# Suffixes that make a new term (仮想化, 互換性); others (用, 製, 系) end it.
_TERM_SUFFIXES = frozenset("化 性 率 型 式 層 機 器 量 網".split())
_LATIN_JOINERS = frozenset("-._/")
_LATIN_TAILS = frozenset("+#")
_NOT_NOMINAL = frozenset({"助詞", "助動詞", "動詞", "形容詞", "副詞", "接続詞", "感動詞", "連体詞", "代名詞", "形状詞"})
_CONTENT_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞"})


@dataclass(frozen=True, slots=True)
class Candidate:
    """A run of morphemes that could be blanked or asked for. key: spelling-insensitive,
    see morphemes_key; begin, end: offsets into the sentence (or explanation) it is in;
    parts: the content words in it (a compound has two or more); weak: one verbal or
    adjectival noun (実行, 必要), a poor blank."""

    surface: str
    key: str
    begin: int
    end: int
    latin: bool
    katakana: bool
    proper: bool
    parts: int
    weak: bool


# --- Candidates: runs of nouns, joined Latin words, minus generic words ----------------


def candidates(text: str, morphology: Morphology) -> list[Candidate]:
    """The candidates of a bare text (offsets into it)."""
    return candidates_in(text, morphology.morphemes(text))


def candidates_in(source: str, morphemes: Sequence[Morpheme], offset: int = 0) -> list[Candidate]:
    """The candidates among morphemes, whose offsets index into source; a candidate's
    begin and end are its morphemes' offsets plus `offset` (where the piece of source
    sits in the sentence the candidates belong to)."""
    out = []
    i = 0
    while i < len(morphemes):
        end = _run_end(morphemes, i)
        if end > i:
            candidate = _candidate(source, morphemes[i:end], offset)
            if candidate:
                out.append(candidate)
            i = end
        else:
            i += 1
    return out


def _run_end(ms: Sequence[Morpheme], start: int) -> int:
    """Index after the longest nominal run starting at start, or start if none does."""
    if not _starts_run(ms, start):
        return start
    i = start + 1
    while i < len(ms) and _continues_run(ms, i):
        i += 1
    while i > start and ms[i - 1].pos[0] in ("補助記号", "空白", "接頭辞"):
        i -= 1  # a run never ends on a joiner
    return i


def _trim(run: Sequence[Morpheme]) -> Sequence[Morpheme]:
    """A run never starts with a noun that doubles as an adverb or a determiner (各), nor
    ends with one in kana, a word in hiragana or a count (うち距離 -> 距離, 各レコード ->
    レコード, 入力そのまま -> 入力, オプションなし -> オプション, ディスク6台 -> ディスク)."""
    start, end = 0, len(run)
    while start < end - 1 and (_adverbial(run[start]) or run[start].surface in _DETERMINER_PREFIXES):
        start += 1
    if end - start > 2 and run[end - 1].pos[2] == "助数詞可能" and is_number(run[end - 2]):
        end -= 2  # ディスク6台 -> ディスク
    while end > start + 1 and (
        (_adverbial(run[end - 1]) and _KANA.search(run[end - 1].surface)) or _HIRAGANA_ONLY.match(run[end - 1].surface)
    ):
        end -= 1  # but 転送先, 起動時: a kanji one ends a compound
    return run[start:end]


def _adverbial(m: Morpheme) -> bool:
    return is_content(m) and m.pos[2] == "副詞可能"


def _starts_run(ms: Sequence[Morpheme], i: int) -> bool:
    m = ms[i]
    if is_content(m):
        return True
    follows = i + 1 < len(ms) and _adjacent(m, ms[i + 1])
    if m.pos[0] == "接頭辞" or _is_adjectival_head(m):
        return follows and is_content(ms[i + 1])  # 非同期, 完全仮想化, 動的計画法
    if is_number(m):
        # 3ウェイハンドシェイク, IPv6 ... but never a number alone
        return follows and (is_content(ms[i + 1]) or is_latin(ms[i + 1]))
    if m.surface in ("-", "--") and follows and is_latin(ms[i + 1]):
        return i == 0 or ms[i - 1].is_space  # an option like --amend
    return False


def _continues_run(ms: Sequence[Morpheme], i: int) -> bool:
    m, before = ms[i], ms[i - 1]
    after = ms[i + 1] if i + 1 < len(ms) else None
    if not _adjacent(before, m):
        return False
    if is_content(m):
        return True
    if m.pos[0] == "接尾辞":
        return m.surface in _TERM_SUFFIXES
    if is_number(m):
        return is_latin(before) or (after is not None and _adjacent(m, after) and is_content(after))
    if m.pos[0] == "接頭辞":
        return after is not None and _adjacent(m, after) and is_content(after)
    between_latin = is_latin(before) and after is not None and _adjacent(m, after) and (
        is_latin(after) or is_number(after)
    )
    if m.surface in _LATIN_JOINERS:
        return between_latin  # VT-x, Node.js, HTTP/2
    if m.is_space and m.surface == " ":
        return between_latin and is_latin(after)  # Rancher Desktop, nitro system
    if m.surface in _LATIN_TAILS:
        return is_latin(before) or before.surface in _LATIN_TAILS  # C++, C#
    return False


def _adjacent(a: Morpheme, b: Morpheme) -> bool:
    return a.end == b.begin


def _is_adjectival_head(m: Morpheme) -> bool:
    """An adjectival noun in kanji or katakana that heads a compound: 完全 of 完全仮想化,
    動的 of 動的計画法, ダイレクト of ダイレクトマップ方式."""
    return m.pos[0] == "形状詞" and len(m.surface) >= 2 and not _KANA_HIRAGANA.search(m.surface)


def is_content(m: Morpheme) -> bool:
    return m.pos[0] == "名詞" and m.pos[1] not in ("数詞", "代名詞")


def is_number(m: Morpheme) -> bool:
    return m.pos[1] == "数詞" or m.surface.isdigit()


def is_latin(m: Morpheme) -> bool:
    return is_latin_text(m.surface)


def is_latin_text(text: str) -> bool:
    return bool(_LATIN.search(text)) and not _JAPANESE.search(text)


def is_generic(m: Morpheme) -> bool:
    """Filler: a listed generic word, a one-character word, or a noun that doubles as an
    adverb or a counter (時, ため, 上, まま, 場合, 箇所)."""
    if m.surface in GENERIC_WORDS or m.normalized in GENERIC_WORDS:
        return True
    if is_latin(m) or _KATAKANA_ONLY.match(m.surface):
        return len(m.surface) < 2
    return len(m.surface) < 2 or m.pos[2] in ("副詞可能", "助数詞可能")


def _candidate(source: str, run: Sequence[Morpheme], offset: int) -> Candidate | None:
    run = _trim(run)
    content = [m for m in run if is_content(m)]
    if not content or all(is_generic(m) for m in content):
        return None
    surface = source[run[0].begin : run[-1].end]
    if len(surface) < 2 or len(surface) > MAX_TERM_CHARS:
        return None
    latin = is_latin_text(surface)
    words = surface.split()
    if len(set(words)) < len(words):
        return None  # "zstd zstd": a listing, not a name
    return Candidate(
        surface=surface,
        key=morphemes_key(run),
        begin=run[0].begin + offset,
        end=run[-1].end + offset,
        latin=latin,
        katakana=bool(_KATAKANA_ONLY.match(surface)),
        proper=any(m.pos[1] == "固有名詞" for m in content),
        parts=len(content),
        weak=_weak(run, content, surface, latin),
    )


def _weak(run: Sequence[Morpheme], content: list[Morpheme], surface: str, latin: bool) -> bool:
    """A poor blank, though a word of the notes: one verbal or adjectival noun (実行,
    必要), a word in hiragana alone (べき, うち), a person's name, a short option (-sh),
    or a quantity (32ビット, 50ns)."""
    if len(content) == 1 and content[0].pos[2] in ("サ変可能", "形状詞可能") and not latin:
        return True
    if _HIRAGANA_ONLY.match(surface):
        return True
    if all(m.pos[2] == "人名" for m in content):
        return True  # a person's name (田中さん) is no term to learn; ダイクストラ法 is one
    if surface.startswith("-") and len(surface.split()[0].strip("-")) < 4:
        return True  # a short option (-s, -sh) is code, not a term; --amend is one
    if latin and len(surface) <= 2 and surface.islower():
        return True  # ff, ns, id: a value or a unit; OS and IP are acronyms
    if run[0].pos[0] == "接頭辞" and run[0].surface in _COUNTING:
        return True  # 全プラッタ, 各タスク: "all of", "each of" a thing, not a term
    head = content[-1]
    if len(content) > 1 and head.surface in GENERIC_WORDS and len(head.surface) > 1 and _KANJI_ONLY.match(head.surface):
        return True  # its head is a listed filler word (実行途中, 処理以降): a phrase, not a term
    return _quantity(run)


# Words that count like a number before a counter: 複数台, 何回, 数件.
_COUNTING = frozenset("複数 数 何 各 全 半 毎".split())


def _quantity(run: Sequence[Morpheme]) -> bool:
    """A number and its unit, anywhere in the run (32ビット, 3台), a count (複数台, 何回),
    or a run ending in a number and a short kanji unit (デフォルト32文字, 最大10秒)."""
    for before, after in zip(run, run[1:]):
        if after.pos[2] == "助数詞可能" and (is_number(before) or before.surface in _COUNTING):
            return True
    return len(run) > 1 and is_number(run[-2]) and len(run[-1].surface) <= 2 and _KANJI_ONLY.match(run[-1].surface) is not None


# --- What a definition line may define, and what explains it -------------------------------


def is_term(text: str, morphemes: Sequence[Morpheme]) -> bool:
    """A short noun phrase: no particle, verb or sentence mark; not a label (How, 例,
    Step 1), a number, a date or a version; not made of generic words alone."""
    if not text or len(text) > MAX_TERM_CHARS or any(m in text for m in _SENTENCE_MARKS):
        return False
    if _NOT_IN_TERMS.search(text) or not _balanced(text) or _CALL.search(text):
        return False  # クライアント → サーバ, cost=..総コスト, Persistent=true, 例（途中, make(chan int)
    if text.endswith(_CONDITION_ENDS):
        return False  # TLBミス時, 起動前: when something happens, not a term
    folded = fold(text)
    if _NUMBER_LIKE.match("".join(folded.split())) or is_label(folded):
        return False
    words = [m for m in morphemes if not m.is_space]
    if any(m.pos[0] in _NOT_NOMINAL and not (i == 0 and _is_adjectival_head(m)) for i, m in enumerate(words)):
        return False
    content = [m for m in words if m.pos[0] == "名詞" and m.pos[1] != "数詞"]
    if not content or all(is_generic(m) for m in content):
        return False
    if is_latin_text(text):
        latin_words = folded.split()
        if len(latin_words) > _MAX_LATIN_TERM_WORDS or _ENGLISH_FUNCTION_WORDS.intersection(latin_words):
            return False
    return morphemes_key(words) not in LABELS


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def is_label(folded: str) -> bool:
    """A label of an aside or a part of a note, possibly numbered: 例, How, 手順1, Step 2."""
    text = folded.strip()
    if text in LABELS:
        return True
    bare = _LABEL_NUMBER.sub("", text).strip()
    return bare != text and (not bare or bare in LABELS)


def explains(text: str, morphemes: Sequence[Morpheme], urls: Sequence[tuple[int, int]] = ()) -> bool:
    """Whether text can be the explanation of a term: MIN_EXPLANATION_CHARS to
    MAX_EXPLANATION_CHARS long, not one token (a URL, a path, a file name, a number, a
    date, a single word), and at least two content words outside any URL. morphemes'
    offsets and urls index into text."""
    if not MIN_EXPLANATION_CHARS <= len(text) <= MAX_EXPLANATION_CHARS:
        return False
    if len(text.split()) == 1 and not _JAPANESE.search(text):
        return False  # https://..., /etc/hosts, main.py, 2024-01-02, v1.2.3, kubernetes
    content = [
        m
        for m in morphemes
        if m.pos[0] in _CONTENT_POS
        and m.pos[1] not in ("数詞", "非自立可能")
        and m.pos[2] != "助数詞可能"
        and not any(b <= m.begin < e for b, e in urls)
    ]
    return len(content) >= 2


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


# --- The kind of a term, for multiple-choice distractors ----------------------------------


def term_kind(surface: str) -> str:
    """latin (Latin letters, acronyms: VT-x, ASIC), katakana (コンテナ), kanji (名前空間)
    or mixed (拡張ページテーブル, ゲストOS): distractors come from the same kind."""
    surface = _PARENTHETICAL.sub("", surface).strip() or surface  # max_connections（デフォルト 100）
    if is_latin_text(surface):
        return "latin"
    letters = [c for c in surface if not c.isspace() and c not in "・-_."]
    if letters and all("\u30a0" <= c <= "\u30ff" for c in letters):
        return "katakana"
    if letters and all("\u3400" <= c <= "\u9fff" or c == "々" for c in letters):
        return "kanji"
    return "mixed"


def term_family(kind: str) -> str:
    """Latin terms and Japanese terms never stand in for each other: the odd script out
    would give the answer away."""
    return "latin" if kind == "latin" else "japanese"
