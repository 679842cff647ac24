"""The quiz rules (bot/core/quiz/__init__.py): what is a term, what explains it, what may
be blanked, which sections make items and which terms stand in for each other."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.models import Section
from bot.core.morphology import shared_morphology
from bot.core.notes import load_corpus
from bot.core.quiz import (
    BLANK,
    GENERIC_WORDS,
    candidates,
    Kind,
    QuizEngine,
    analyze_section,
    term_kind,
)

ROOT = Path(__file__).resolve().parent.parent
CORPORA = [ROOT / "corpus", Path(__file__).resolve().parent / "data" / "corpus2"]
EXPLANATION = "仮想マシンをまとめて管理するための仕組み"


def section(text: str, kind: str = "list", headings: tuple[str, ...] = ("仮想化",)) -> Section:
    """A section as the notes parser gives it: plain text, one line per source line."""
    return Section(
        file="x.md", line_start=1, line_end=text.count("\n") + 1, headings=headings, text=text, kind=kind
    )


def items_of(*texts: str, kind: str = "list") -> tuple:
    return QuizEngine([section(t, kind) for t in texts]).items


def defined_terms(text: str) -> list[str]:
    return [d.term for d in analyze_section(section(text), shared_morphology()).definitions]


# --- Terms --------------------------------------------------------------------------------


def test_a_noun_phrase_is_a_term():
    assert defined_terms(f"- ハイパーバイザ: {EXPLANATION}") == ["ハイパーバイザ"]
    assert defined_terms(f"- Active Directory: {EXPLANATION}") == ["Active Directory"]
    kinds = {i.kind for i in items_of(f"- ハイパーバイザ: {EXPLANATION}")}
    assert {Kind.TERM, Kind.REVEAL} <= kinds


@pytest.mark.parametrize(
    "label",
    [
        "How", "What", "Why", "When", "Where", "例", "例えば", "メモ", "参照", "ポイント", "注意", "結論",
        "Step 1", "手順1", "Note", "TODO", "Q", "A", "Before", "After", "Input", "Output", "Q2", "メリット",
        "デフォルト", "None",
    ],
)  # fmt: skip
def test_a_label_is_no_term(label):
    assert defined_terms(f"- {label}: {EXPLANATION}") == []
    assert not [i for i in items_of(f"- {label}: {EXPLANATION}") if i.kind is not Kind.CLOZE]


@pytest.mark.parametrize(
    "term",
    [
        "404", "2024-01-02", "v1.2.3", "12:30", "第3章", "クライアント → サーバ", "cost=開始コスト..総コスト",
        "Persistent=true", "バッファなし make(chan int)", "TLBミス時", "メジャーバージョンアップ（例",
    ],
)
def test_a_number_a_date_a_version_a_step_code_or_a_condition_is_no_term(term):
    assert defined_terms(f"- {term}: {EXPLANATION}") == []


def test_an_english_sentence_is_no_term():
    assert defined_terms(f"- This is why: {EXPLANATION}") == []
    assert defined_terms(f"- Rancher Desktop: {EXPLANATION}") == ["Rancher Desktop"]


# --- Explanations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "explanation",
    [
        "https://example.com/docs/virtualization",
        "2024-01-02T10:00:00",
        "8080 8443 9000",
        "/etc/nginx/nginx.conf",
        "virtualization_notes.md",
        "エミュレータ",  # a single word
        "none: 署名なしのトークンを受け付けてしまう",  # a key and its value
    ],
)
def test_an_explanation_that_does_not_explain_makes_no_term_items(explanation):
    assert defined_terms(f"- ハイパーバイザ: {explanation}") == []


def test_a_url_in_a_real_explanation_is_no_blank():
    text = "- ハイパーバイザ: 仮想マシンを動かすソフトウェア。詳しくは https://example.com/hypervisor を読む"
    assert defined_terms(text) == ["ハイパーバイザ"]
    clozes = [i for i in items_of(text) if i.kind is Kind.CLOZE]
    assert clozes
    for item in clozes:
        assert "example" not in item.answer and "https" not in item.answer


# --- Cloze blanks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("この方法を使用する可能性がある場合はハイパーバイザの設定を見直す", "ハイパーバイザ"),
        ("パケットの長さはそのままでもMTUを超えると分割される", "MTU"),
        ("全ての部分で必要な状態をコンテナオーケストレーションが管理する", "コンテナオーケストレーション"),
        ("頂点のうちダイクストラ法で距離が最小のものを確定する", "ダイクストラ法"),
    ],
)
def test_filler_is_never_blanked(sentence, expected):
    (item,) = items_of(f"- {sentence}")
    assert item.kind is Kind.CLOZE and item.answer == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "こういう場合はそのままの状態で使用する可能性が高い方法",
        "それ以外の全ての部分は一部を除いて以前のまま残す",
        "その長さと量と数と値を使用の前に確認する必要がある",
        "「べき等」は同じことを何回しても結果が同じになること",  # べき: hiragana alone
        "全部で32ビットと64ビットと128ビットがある",  # quantities
        "答えは 1 → 2 → 4 → 8 → 16 で16セグメント",  # a count among numbers
    ],
)
def test_a_sentence_of_filler_gives_no_cloze(sentence):
    assert items_of(f"- {sentence}") == ()


def test_short_options_and_half_tokens_are_never_blanked():
    items = items_of(
        "- 本番でも du -sh で確認する習慣をつける",
        "- ここで git bisect good v2.3.0 と打って範囲を狭める",
    )
    for item in items:
        assert item.answer not in ("-sh", "git bisect good v2")
        assert f"{BLANK}.3.0" not in item.question


@pytest.mark.parametrize(
    "text",
    [
        "- カテゴリごとにフォルダを分ける（linux / sql / security / docker）",
        "- 圧縮形式は gzip、bzip2、xz、zstd から選べる",
        "- ClientHello: 暗号スイート、key_share（ECDHEの公開値）、supported_versions を送る",
        "- パーティションの方式は RANGE、LIST、HASH（HASH は 11 から）を選べる",  # listed once, repeated later
    ],
)
def test_one_item_of_an_enumeration_is_never_blanked(text):
    listed = {"linux", "sql", "security", "docker", "gzip", "bzip2", "xz", "zstd", "key_share", "supported_versions"}
    listed |= {"RANGE", "LIST", "HASH"}
    for item in items_of(text):
        assert item.kind is not Kind.CLOZE or item.answer not in listed, item


def test_cloze_answers_of_the_notes_are_never_filler():
    morphology = shared_morphology()
    for root in CORPORA:
        for item in QuizEngine(load_corpus(root).sections).items:
            if item.kind is not Kind.CLOZE:
                continue
            assert item.answer not in GENERIC_WORDS, item
            words = [m for m in morphology.morphemes(item.answer) if not m.is_space]
            if len(words) == 1 and term_kind(item.answer) in ("kanji", "mixed"):  # ページ, ビット are words
                assert words[0].pos[2] not in ("副詞可能", "助数詞可能"), item


# --- Only prose makes items -----------------------------------------------------------------

PROSE = "- VT-d: 外部デバイスとのアクセスをホストOSを介さずにできる\n- 準仮想化ではハイパーコールでハイパーバイザを呼ぶ"


@pytest.mark.parametrize("kind", ["code", "table", "math"])
def test_code_tables_and_math_give_nothing(kind):
    assert items_of(PROSE, kind=kind) == ()
    analysis = analyze_section(section(PROSE, kind), shared_morphology())
    assert analysis.definitions == () and analysis.sentences == ()


@pytest.mark.parametrize("kind", ["paragraph", "list", "quote"])
def test_paragraphs_lists_and_quotes_give_items(kind):
    assert items_of(PROSE, kind=kind)


# --- Distractors of the same kind -----------------------------------------------------------


def test_term_kinds():
    assert [term_kind(t) for t in ("VT-x", "ASIC", "Active Directory", "C++")] == ["latin"] * 4
    assert [term_kind(t) for t in ("コンテナ", "ハイパーバイザー", "コントロール・グループ")] == ["katakana"] * 3
    assert [term_kind(t) for t in ("名前空間", "準仮想化", "時々")] == ["kanji"] * 3
    assert [term_kind(t) for t in ("拡張ページテーブル", "ゲストOS", "べき等性")] == ["mixed"] * 3


MIXED_NOTES = [
    "\n".join(
        [
            "- VT-x: ゲストOSの特権命令をCPUが直接扱える仕組み",
            "- 拡張ページテーブル: ゲストとホストのメモリアドレスを変換する表",
            "- VT-d: 外部デバイスとのアクセスをホストOSを介さずにできる機能",
            "- コンテナ: カーネルを共有して隔離されたプロセスを動かす仕組み",
            "- VT-c: ネットワークを仮想化する支援機能のこと",
            "- 名前空間: プロセスやネットワークの見え方をプロセスごとに分ける機能",
            "- ASIC: 特定用途のために設計された専用のハードウェアチップ",
            "- ハイパーバイザ: 仮想マシンを動かして資源を配分するソフトウェア",
            "- 準仮想化: ゲストOSが仮想化を意識してハイパーコールを使う方式",
            "- エミュレータ: 別のハードウェアをソフトウェアで真似て動かす道具",
            "- 完全仮想化: ゲストOSを書き換えずにそのまま動かす方式",
            "- 仮想記憶: 主記憶より大きなアドレス空間をプログラムに見せる仕組み",
        ]
    ),
]


def test_distractors_come_from_terms_of_the_same_kind():
    choices = [i for i in items_of(*MIXED_NOTES) if i.kind is Kind.CHOICE]
    by_answer = {i.answer: i for i in choices}
    assert {"VT-x", "VT-d", "VT-c", "ASIC", "コンテナ", "名前空間"} <= set(by_answer)
    for answer in ("VT-x", "VT-d", "VT-c", "ASIC"):
        assert {term_kind(o) for o in by_answer[answer].options} == {"latin"}, by_answer[answer]
    for answer in ("名前空間", "準仮想化", "完全仮想化", "仮想記憶"):
        assert {term_kind(o) for o in by_answer[answer].options} == {"kanji"}, by_answer[answer]


def test_a_japanese_answer_may_take_other_japanese_terms_but_never_latin_ones():
    by_answer = {i.answer: i for i in items_of(*MIXED_NOTES) if i.kind is Kind.CHOICE}
    # Three katakana terms only: the fourth option is another Japanese term.
    options = by_answer["コンテナ"].options
    assert [term_kind(o) for o in options].count("katakana") == 3
    assert all(term_kind(o) != "latin" for o in options)


@pytest.mark.parametrize(
    "line, never",
    [
        ("- XIDは 32 ビットで、約42億でトランザクションIDが一周する", "ビット"),  # a unit after a number
        ("- 1回目の実行時間は 490 ms、2回目はキャッシュが効いた", "ms"),
        ("- bash の機能を使うならcronで SHELL=/bin/bash と書く", "bin/bash"),  # half a path
        ("- psql ではまず \\timing on を打ってクエリの時間を見る", "timing on"),
        ("- チームのチャットで質問して、田中さんにレプリケーションを教えてもらった", "田中"),  # a name
        ("- 全ビット1の ff:ff:ff:ff:ff:ff はブロードキャストアドレス", "ff"),
        ("- TCPヘッダはオプションなしで20バイトになる", "オプションなし"),
        ("- 各ミラーの組で1台ずつなら、複数台壊れてもデータは残る", "複数台"),  # a count
        ("- strace の文字列の表示長はデフォルト32文字で切られる", "デフォルト32文字"),  # a quantity
        ("- ログのサイズを書くときは数字に単位を必ず付ける", "数字"),
        ("- 再入可能な関数は実行途中で割り込まれても正しく動く", "実行途中"),  # a filler head
    ],
)
def test_units_half_paths_names_and_values_are_never_blanked(line, never):
    for item in items_of(line):
        assert item.answer != never, item


@pytest.mark.parametrize(
    "line",
    [
        "- 10:30 高橋さんとペアで本番のレプリケーション設定を見直した",  # a log entry
        "- 答え: 0.98 \\times 1 + 0.02 \\times 50 = 1.98 ns で平均アクセス時間が出る",  # a formula
        "- PgBouncer のプールモード:",  # a lead-in
        "- 実際のところはほとんどこれ",  # nothing left to go on once blanked
    ],
)
def test_log_entries_formulas_lead_ins_and_context_less_sentences_give_nothing(line):
    assert items_of(line) == ()


def test_an_adjectival_head_starts_a_compound():
    text = "- ダイレクトマップ方式: ブロックの置き場所がキャッシュの1か所に決まっている方式"
    assert defined_terms(text) == ["ダイレクトマップ方式"]
    assert defined_terms(f"- 完全仮想化: {EXPLANATION}") == ["完全仮想化"]
    (item,) = items_of("- 動的計画法は小さな問題の答えをメモ化して再利用する")
    assert item.answer == "動的計画法"  # not 計画法, which would leave 動的＿＿＿


def test_a_sentence_is_not_cut_inside_brackets():
    text = "- 再送タイマ（Linuxでは最小200ms。環境で違う）が切れるとTCPはセグメントを再送する"
    sentences = [s.text for s in analyze_section(section(text), shared_morphology()).sentences]
    assert sentences == [text[2:]]


def test_a_piece_of_a_long_sentence_never_starts_with_a_particle():
    # cors.md of the TIL corpus has sentences of 400+ characters with no 。: they are cut
    # into pieces at 、 and at spaces, but never at the space before a particle, which
    # gave pieces like "のような独自のヘッダを…" after "Authorization のような".
    folder = Path(__file__).resolve().parent / "data" / "real" / "til" / "security"
    if not folder.is_dir():
        pytest.skip(f"{folder} is missing")
    sections = [s for s in load_corpus(folder).sections if s.file == "cors.md"]
    assert max(len(s.text) for s in sections) > 300
    morphology = shared_morphology()
    sentences = [x.text for s in sections for x in analyze_section(s, morphology).sentences]
    assert len(sentences) > 5
    assert not [x for x in sentences if x[0] in "のはがをにでとへもや"], sentences


@pytest.mark.parametrize(
    "text, filler",
    [
        ("- 各ミラーの組で1台ずつなら、複数台壊れてもデータは残る", "複数台"),  # a count
        ("- strace の文字列の表示長はデフォルト32文字で切られる", "デフォルト32文字"),  # a quantity
        ("- ログのサイズを書くときは数字に単位を必ず付ける", "数字"),  # a generic word
        ("- 再入可能な関数は実行途中で割り込まれても正しく動く", "実行途中"),  # a filler head
        ("- XIDは 32 ビットで一周する", "32ビット"),
    ],
)
def test_counts_quantities_and_filler_are_weak_or_no_candidates(text, filler):
    found = {c.surface: c for c in candidates(text, shared_morphology())}
    assert filler not in found or found[filler].weak, found.get(filler)
    assert any(not c.weak for c in found.values())  # the sentence still has real terms


def test_an_explanation_that_starts_with_its_term_defines_nothing():
    # In a list of namespaces, "cgroup: cgroupのルートの見え方" names what the cgroup
    # namespace isolates; a reveal 「cgroup」とは？ -> "cgroupのルートの見え方" would mislead.
    assert defined_terms("- cgroup: cgroupのルートの見え方を分ける") == []
    assert defined_terms("- 名前空間: プロセスやネットワークなどの名前空間を分離できる") == ["名前空間"]


def test_all_of_and_each_of_are_no_terms():
    found = {c.surface: c for c in candidates("- シリンダは全プラッタで同じ半径にあるトラックの集まり", shared_morphology())}
    assert "全プラッタ" not in found or found["全プラッタ"].weak


@pytest.mark.parametrize("heading", ["わからなかったこと", "よく わからない", "疑問", "Open Questions"])
def test_nothing_the_learner_has_not_understood_makes_items(heading):
    text = "- IOMMU: デバイスからのメモリアクセスをアドレス変換して守る装置"
    assert QuizEngine([section(text, headings=("学んだこと",))]).items  # the same line, learnt
    assert QuizEngine([section(text, headings=(heading,))]).items == ()
    assert QuizEngine([section(text, headings=("疑問", "IOMMU"))]).items == ()  # under it, any depth
