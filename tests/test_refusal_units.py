"""Unit tables for bot/core/refusal.py: how a question is read (its topic, the sides of
a comparison, English phrasing, the concepts of its words) and how much of it a
section covers. Each case says what a learner's question means."""

import pytest

from bot.core.analyzer import Analyzer
from bot.core.refusal import (
    Concept,
    QueryToken,
    comparison_spans,
    coverage,
    identifiers,
    is_english_phrased,
    read_question,
    spelling,
    topic_spans,
    unwritten,
)


def _texts(question: str, spans) -> list[str]:
    return [question[b:e] for b, e in spans]


def _concepts(analyzer: Analyzer, question: str, aliases=None) -> dict[str, Concept | None]:
    return {t.term: t.concept for t in read_question(analyzer, question, aliases)}


# --- topic_spans: the noun phrase before は, が, って, とは, について, or at the end ---

TOPICS = [
    ("KVMは速い", ["KVM"]),
    ("KVMが遅い", ["KVM"]),
    ("KVMって何", ["KVM"]),
    ("KVMとは？", ["KVM"]),
    ("仮想化について教えて", ["仮想化"]),
    # The phrase the question ends with, after its closing marks and spaces.
    ("KVMの仕組み？！", ["KVMの仕組み"]),
    ("KVM　", ["KVM"]),
    ("KVM ♪", ["KVM"]),
    ("KVM∞", ["KVM"]),
    ("KVMとQEMU", ["QEMU"]),
    # XのY and words joined by - . _ are one phrase; spaces inside it too.
    ("PostgreSQLのpg_partmanの設定方法は？", ["PostgreSQLのpg_partmanの設定方法"]),
    ("asyncio.TaskGroupって何", ["asyncio.TaskGroup"]),
    ("ゲスト OS のメモリ", ["ゲスト OS のメモリ"]),
    ("WindowsのWSL 2とは", ["WindowsのWSL 2"]),
    # A spaced hyphen is no joiner: "KVM - QEMU" lists two things.
    ("KVM - QEMU", ["QEMU"]),
    # A particle with no noun phrase before it, or a question ending in a verb.
    ("とは", []),
    ("について", []),
    ("速いのはなぜ", []),
    ("Linux と", []),
    ("", []),
    ("？", []),
    # Two topics: each particle's phrase, and the one it ends with.
    ("KVMはQEMUが要る", ["KVM", "QEMU"]),
    ("KVMとは何かとQEMUについて", ["KVM", "QEMU"]),
    # が after a と that is no comparison still marks a topic.
    ("KVMを使うとQEMUが速い", ["QEMU"]),
    # に alone is no について.
    ("KVMに移す", []),
    # A phrase never starts with a joiner or an の: .bashrc is about bashrc.
    (".bashrcとは", ["bashrc"]),
    ("KVMの", []),
]


@pytest.mark.parametrize("question, topics", TOPICS)
def test_topic_spans(analyzer, question, topics):
    assert _texts(question, topic_spans(analyzer.morphemes(question), question)) == topics


# --- comparison_spans: more forms than the table in test_refusal.py ---

MORE_COMPARISONS = [
    # The sides are noun phrases: XのY, joined words, a name spaced from its version.
    ("LinuxのKVMとQEMUの違い", ["LinuxのKVM", "QEMU"]),
    ("AMD-VとVT-xの違いは？", ["AMD-V", "VT-x"]),
    ("pg_partmanとpg_cronの差", ["pg_partman", "pg_cron"]),
    ("KVM vs QEMU の速さ", ["KVM", "QEMU"]),
    ("KVM vs pg_cron", ["KVM", "pg_cron"]),
    ("KVM vs  QEMU", ["KVM", "QEMU"]),
    ("KVM vs VT-x", ["KVM", "VT-x"]),
    ("KVM VS QEMU", ["KVM", "QEMU"]),
    ("KVM対QEMU", ["KVM", "QEMU"]),
    # English phrasing words are no part of a side.
    ("What is KVM vs QEMU?", ["KVM", "QEMU"]),
    # どっち after the second side, spaced or after an ASCII comma.
    ("KVMと QEMUどっちが速い？", ["KVM", "QEMU"]),
    ("KVMとQEMU,どっちが速い？", ["KVM", "QEMU"]),
    # A どっち with nothing before it does not end the search.
    ("どっちが速い？KVMとQEMUの違い", ["KVM", "QEMU"]),
    ("Difference between KVM and QEMU?", ["KVM", "QEMU"]),
    ("the difference between KVM and QEMU, please", ["KVM", "QEMU"]),
    # No first side: nothing is compared.
    ("vs QEMU", ["QEMU"]),
    ("KVM vs", ["KVM"]),
    ("QEMUの違い", []),
    ("とQEMUの違い", []),
    ("QEMUはどう違う？", []),
    ("速いとQEMUの違い", []),
    ("KVMはQEMUの違い", []),
    # どっち with nothing to compare before it.
    ("、どっち", []),
    ("KVM、どっちが速い？", []),
]


@pytest.mark.parametrize("question, sides", MORE_COMPARISONS)
def test_more_comparison_spans(analyzer, question, sides):
    assert _texts(question, comparison_spans(analyzer.morphemes(question), question)) == sides


# --- is_english_phrased ---

ENGLISH = [
    ("What is KVM?", True),
    ("  what is KVM?", True),
    ("Explain KVM", True),
    ("Would KVM fit?", True),
    ("Define KVM", True),
    ("Difference of KVM", True),
    ("which KVM", True),
    # An opening word must be a whole word.
    ("Whatever KVM", False),
    ("Isolation in KVM", False),
    ("Howto KVM", False),
    # Three English phrasing words make a question English, in any case; two do not.
    ("KVM is the best tool for VMs", True),
    ("KVM Is The best tool For VMs", True),
    ("KVM is the best", False),
    ("KVMとは", False),
    ("git showの使い方", False),
    ("", False),
]


@pytest.mark.parametrize("text, english", ENGLISH)
def test_is_english_phrased(text, english):
    assert is_english_phrased(text) is english


# --- which words of a question are terms (English phrasing dropped) ---

TERMS = [
    # In an English question its phrasing words go, not the names.
    ("What is KVM?", ["kvm"]),
    ("what does QEMU do", ["qemu"]),
    ("What's KVM's role?", ["kvm", "ロール"]),
    ("What’s KVM’s role?", ["kvm", "ロール"]),
    # Capitals and joined words are names: IS-IS, AS.
    ("What is IS-IS?", ["is", "is"]),
    ("What is AS?", ["as"]),
    ("What is the to-do list?", ["to", "do", "リスト"]),
    ("What is IS.IS?", ["is", "is"]),
    # vs and versus are phrasing in any question, in any case.
    ("KVM vs QEMU", ["kvm", "qemu"]),
    ("KVM VS QEMU", ["kvm", "qemu"]),
    ("KVM Versus QEMU", ["kvm", "qemu"]),
    # A Japanese question keeps English words: they name code.
    ("git showの使い方", ["git", "ショー", "使い方"]),
    ("isとasの違い", ["is", "as", "違い"]),
    # An s not after an apostrophe is a word.
    ("What is s?", ["s"]),
    ("What is 'KVM'?", ["kvm"]),
    # A one-letter capital is the article or I, not a name.
    ("Should I use KVM?", ["kvm"]),
    ("A VM is what kind of thing?", ["vm"]),
    # A phrasing word is a name only when a joiner touches it.
    ("What is a -v flag?", ["v", "flag"]),
]


@pytest.mark.parametrize("question, terms", TERMS)
def test_question_terms(analyzer, question, terms):
    assert [t.term for t in read_question(analyzer, question) if not t.part] == terms


def test_a_phrasing_word_after_an_abbreviation_is_still_phrasing(analyzer):
    question = "What is KVM, e.g. the one in Linux?"
    words = [question[t.begin : t.end] for t in read_question(analyzer, question) if not t.part]
    assert {"KVM", "one", "Linux"} <= set(words)
    assert "the" not in words and "in" not in words  # (what e.g. should be is left open)


def test_spelling_drops_english_phrasing_and_parts(analyzer):
    assert spelling(analyzer, "the Kernel-based Virtual Machine") == ("カーネル", "ベースト", "バーチャル", "machine")
    assert spelling(analyzer, "仮想化") == ("仮想化",)


# --- read_question: the concepts ---


def test_a_compound_carries_its_parts_and_a_loanword_its_pieces(analyzer):
    concepts = _concepts(analyzer, "仮想化とロードバランサー")
    assert concepts["仮想化"] == Concept(("仮想化",), ("仮想",))
    assert concepts["仮想"] is concepts["仮想化"]
    assert concepts["ロード"] is concepts["バランサー"]
    assert concepts["ロード"].pieces == ("ロード", "バランサー")
    assert concepts["ロード"].parts == ()  # 仮想 is a part of 仮想化 only
    # A Latin compound splits into its runs, the last one too.
    assert _concepts(analyzer, "TLS 1.4の往復")["1.4"].parts == ("1", "4")
    # Katakana words apart are two words; katakana after kanji is its own word.
    concepts = _concepts(analyzer, "ロード バランサー")
    assert concepts["ロード"].pieces == ("ロード",) and concepts["バランサー"].pieces == ("バランサー",)
    concepts = _concepts(analyzer, "負荷分散のロードバランサー")
    assert concepts["ロード"].pieces == ("ロード", "バランサー")


def test_read_question_tokens_carry_offsets_and_flags(analyzer):
    tokens = read_question(analyzer, "仮想化は速い")
    assert [(t.term, t.begin, t.end, t.phrasing, t.part) for t in tokens] == [
        ("仮想化", 0, 3, False, False),
        ("仮想", 0, 2, False, True),
        ("速い", 4, 6, True, False),
    ]
    assert all(isinstance(t, QueryToken) for t in tokens)


def test_compared_heads_are_the_last_words_that_are_not_generic(analyzer):
    concepts = _concepts(analyzer, "KVMの特徴とQEMUの特徴の違い")
    assert concepts["kvm"].compared and concepts["qemu"].compared
    assert not concepts["特徴"].compared and not concepts["違い"].compared
    # Joined words are one head: pg_partman, AMD-V, RAID50; not a word spaced apart.
    concepts = _concepts(analyzer, "pg_partmanとAMD-Vの違い")
    assert all(concepts[t].compared for t in ("pg", "partman", "amd", "v"))
    concepts = _concepts(analyzer, "RAID50とRAID60の違い")
    assert concepts["raid"].compared and concepts["50"].compared and concepts["60"].compared
    concepts = _concepts(analyzer, "ゲスト OSとホストの違い")
    assert concepts["os"].compared and not concepts["ゲスト"].compared
    # The side after vs is a whole joined name too.
    concepts = _concepts(analyzer, "KVM vs QEMU-x")
    assert concepts["kvm"].compared and concepts["qemu"].compared and concepts["x"].compared
    # A side of generic words only names nothing; later sides still do.
    concepts = _concepts(analyzer, "特徴と仕組みの違い、KVM vs QEMU")
    assert concepts["kvm"].compared and concepts["qemu"].compared
    # Only a side of a comparison: the rest of the question is not compared.
    concepts = _concepts(analyzer, "LinuxのKVMとQEMUの違い")
    assert not concepts["linux"].compared


@pytest.mark.parametrize(
    "question, joined",
    [
        ("AMD-VとQEMUの違い", ["amd", "v"]),
        ("AMD--VとQEMUの違い", ["amd", "v"]),
        ("a.b_cとQEMUの違い", ["a", "b", "c"]),
        ("EC2とQEMUの違い", ["ec", "2"]),
        # Three joiners, or a space, or a Japanese letter run into Latin: not one word.
        ("AMD---VとQEMUの違い", ["v"]),
        ("AMD VとQEMUの違い", ["v"]),
        ("仮想KVMとQEMUの違い", ["kvm"]),
        ("KVM仮想化とQEMUの違い", ["仮想化"]),
        # Letters run into digits are one word, even after kanji or a hyphen.
        ("仮想V2とQEMUの違い", ["v", "2"]),
        ("AMD-V2とQEMUの違い", ["amd", "v", "2"]),
    ],
)
def test_a_head_takes_the_words_joined_to_it(analyzer, question, joined):
    tokens = read_question(analyzer, question)
    first_side = [t.term for t in tokens if not t.part and t.concept.compared and t.term != "qemu"]
    assert first_side == joined


@pytest.mark.parametrize(
    "question, topics",
    [
        ("OAuth 2.0のPKCEとは？", {"pkce": "pkce"}),
        ("PostgreSQLのpg_partmanの設定方法は？", {"pg": "pg_partman", "partman": "pg_partman"}),
        ("AWSのRAID50が遅い", {"raid": "raid50", "50": "raid50"}),
        # Without an の before it, or a Japanese head, or asked in English: no topic name.
        ("asyncio.TaskGroupとは", {}),
        ("NUMAで遅くなる理由は？", {}),
        ("Linuxの仮想化とは", {}),
        ("What is asyncioのTaskGroup?", {}),
        # The head is the last word that is not generic.
        ("asyncioのTaskGroupの使い方は？", {"taskgroup": "taskgroup"}),
        ("asyncioの使い方は？", {}),
        ("asyncioのTaskGroupの新機能は？", {"taskgroup": "taskgroup"}),  # 新機能 ends in 機能
        # Each topic of the question is read.
        ("仮想化は、asyncioのTaskGroupって何", {"taskgroup": "taskgroup"}),
        ("VSって何？asyncioのTaskGroupとは", {"taskgroup": "taskgroup"}),
    ],
)
def test_topic_names_of_a_latin_head_after_an_no(analyzer, question, topics):
    found = {t.term: t.concept.topic for t in read_question(analyzer, question) if t.concept and t.concept.topic}
    assert found == topics


@pytest.mark.parametrize(
    "question, names",
    [
        ("RAID50の最低台数", {"raid": "raid50", "50": "raid50"}),
        ("TLS 1.4の往復", {"tls": "tls 1.4", "1.4": "tls 1.4", "1": "tls 1.4", "4": "tls 1.4"}),
        # A numbered name that only qualifies a Latin name after its の is not asked about.
        ("Linux6のmdadmとは？", {}),
        ("Linux6の設定", {"linux": "linux6", "6": "linux6"}),
        ("Linux6の", {"linux": "linux6", "6": "linux6"}),
    ],
)
def test_numbered_names_of_a_question(analyzer, question, names):
    found = {t.term: t.concept.name for t in read_question(analyzer, question) if t.concept and t.concept.name}
    assert found == names


def test_aliases_merge_words_and_add_their_names_as_parts(analyzer):
    seen = []

    def aliases(concepts):
        seen.append([c.pieces for c in concepts])
        # AMD-V (amd, v) is also called SVM.
        return [(0, 1, (("svm",), ("secure", "vm")))]

    tokens = read_question(analyzer, "AMD-VとVT-xの違い", aliases)
    assert seen == [[("amd",), ("v",), ("vt",), ("x",), ("違い",)]]
    merged = tokens[0].concept
    assert merged == Concept(("amd", "v"), (), True, (("svm",), ("secure", "vm")))
    assert [(t.term, t.begin, t.end, t.part, t.concept is merged) for t in tokens[:5]] == [
        ("amd", 0, 3, False, True),
        ("v", 4, 5, False, True),
        ("svm", 0, 5, True, True),
        ("secure", 0, 5, True, True),
        ("vm", 0, 5, True, True),
    ]
    assert [t.term for t in tokens[5:]] == ["vt", "x", "違い"]
    assert all(not t.phrasing for t in tokens[2:5])


def test_aliases_keep_the_topic_and_name_of_the_merged_words(analyzer):
    tokens = read_question(analyzer, "LinuxのRAID50とは", lambda concepts: [(1, 2, (("raid", "fifty"),))])
    merged = next(t.concept for t in tokens if t.term == "raid")
    assert merged.pieces == ("raid", "50")
    assert merged.topic == "raid50" and merged.name == "raid50"
    assert next(t.concept for t in tokens if t.term == "linux").topic == ""
    # Aliases found nowhere change nothing.
    assert read_question(analyzer, "KVMとは", lambda concepts: []) == read_question(analyzer, "KVMとは")


def test_an_acronym_of_several_words_has_no_concept(analyzer):
    tokens = read_question(analyzer, "Virtual Machineとは")
    assert [(t.term, t.part) for t in tokens if t.concept is None] == [("vm", True)]
    tokens = read_question(analyzer, "Windows Subsystem for Linuxとは")
    acronyms = [t for t in tokens if t.concept is None]
    assert [(t.term, t.part) for t in acronyms] == [("wsl", True)]
    assert len([t for t in tokens if t.concept is not None]) == 4  # Windows, Subsystem, for, Linux
    # Sudachi reads "Amazon EC2" as one word: the acronym inside it is a part of it.
    tokens = read_question(analyzer, "Amazon EC2とは")
    assert {t.term: t.concept.pieces for t in tokens} == {
        "amazon ec2": ("amazon ec2",),
        "amazon": ("amazon ec2",),
        "ec": ("amazon ec2",),
        "2": ("amazon ec2",),
        "ae": ("amazon ec2",),
    }


# --- coverage ---


def _token(term, concept=None, phrasing=False, part=False):
    return QueryToken(term, 0, 0, phrasing, part, concept)


def test_coverage_weighs_each_term_once_at_its_idf(analyzer):
    tokens = read_question(analyzer, "KVMとQEMUとKVM")
    idf = {"kvm": 0.5, "qemu": 0.25}
    assert coverage(tokens, {"kvm"}, idf.get, 3.0) == pytest.approx(0.5 / 0.75)
    assert coverage(tokens, {"qemu"}, idf.get, 3.0) == pytest.approx(0.25 / 0.75)
    assert coverage(tokens, {"kvm", "qemu"}, idf.get, 3.0) == pytest.approx(1.0)
    assert coverage(tokens, set(), idf.get, 3.0) == 0.0


def test_coverage_an_unknown_term_weighs_the_most_unless_it_phrases(analyzer):
    idf = {"kvm": 0.5}
    assert coverage(read_question(analyzer, "KVMとXen"), {"kvm"}, idf.get, 2.0) == pytest.approx(0.5 / 2.5)
    # 速い only phrases the question: it weighs nothing when the notes never use it...
    assert coverage(read_question(analyzer, "KVMは速い"), {"kvm"}, idf.get, 2.0) == pytest.approx(1.0)
    # ... and its idf when they do.
    idf = {"kvm": 0.5, "速い": 0.5}
    assert coverage(read_question(analyzer, "KVMは速い"), {"kvm"}, idf.get, 2.0) == pytest.approx(0.5)
    # Nothing weighs: nothing is covered.
    assert coverage(read_question(analyzer, "速い"), set(), {}.get, 2.0) == 0.0
    assert coverage([], set(), {}.get, 2.0) == 0.0


def test_coverage_a_compared_latin_name_the_notes_never_use_refuses(analyzer):
    tokens = read_question(analyzer, "AMD-VとVT-xの違い")
    idf = {"vt": 1.0, "x": 1.0, "違い": 0.5, "amd": 1.0}
    everything = {"vt", "x", "違い", "amd", "v"}
    assert coverage(tokens, everything, idf.get, 2.0) == 0.0  # v is unknown
    assert coverage(tokens, everything, {**idf, "v": 1.0}.get, 2.0) == pytest.approx(1.0)
    # Known under another name: the notes can compare it.
    tokens = read_question(analyzer, "AMD-VとVT-xの違い", lambda concepts: [(0, 1, (("svm",),))])
    assert coverage(tokens, everything, {**idf, "svm": 1.0}.get, 2.0) > 0.0
    assert coverage(tokens, everything, idf.get, 2.0) == 0.0
    # A compared katakana loanword the notes never use refuses too...
    tokens = read_question(analyzer, "仮想化とコンテナの違い")
    idf = {"仮想化": 1.0, "仮想": 1.0, "違い": 1.0}
    assert coverage(tokens, {"仮想化", "仮想", "違い"}, idf.get, 3.0) == 0.0
    # ...a kanji word only weighs, compared or not (it may be the learner's own word).
    tokens = read_question(analyzer, "仮想化と名前空間の違い")
    idf = {"仮想化": 1.0, "仮想": 1.0, "違い": 1.0}
    assert coverage(tokens, {"仮想化", "仮想", "違い"}, idf.get, 3.0) == pytest.approx(3.0 / 9.0)
    # A Latin name not compared only weighs too.
    tokens = read_question(analyzer, "AWSのEC2")
    assert coverage(tokens, {"ec", "2"}, {"ec": 1.0, "2": 1.0}.get, 2.0) == pytest.approx(2.0 / 4.0)


def test_coverage_a_topic_head_no_section_writes_refuses(analyzer):
    tokens = read_question(analyzer, "asyncioのTaskGroupとは")
    idf = {"asyncio": 1.0}
    assert coverage(tokens, {"asyncio"}, idf.get, 3.0, lambda name: False) == 0.0
    written = []
    assert coverage(tokens, {"asyncio"}, idf.get, 3.0, lambda name: written.append(name) or True) == pytest.approx(0.25)
    assert written and set(written) == {"taskgroup"}
    assert coverage(tokens, {"asyncio"}, idf.get, 3.0) == pytest.approx(0.25)  # no written: only weighs
    # A head the notes hold as a term is known, written or not.
    idf = {"asyncio": 1.0, "taskgroup": 1.0}
    assert coverage(tokens, {"asyncio", "taskgroup"}, idf.get, 3.0, lambda name: False) == pytest.approx(1.0)


def test_coverage_a_numbered_name_the_notes_never_write_refuses(analyzer):
    tokens = read_question(analyzer, "RAID50の最低台数")
    idf = {"raid": 1.0, "50": 1.0, "最低": 1.0, "台数": 1.0}
    matched = set(idf)
    calls = []

    def only(*written):
        def check(*args):
            calls.append(args)
            return args in written

        return check

    # raid is written, raid50 is not, in no spelling.
    assert coverage(tokens, matched, idf.get, 2.0, only(("raid",))) == 0.0
    assert ("raid50",) in calls and ("raid 50",) in calls and ("raid-50",) in calls
    for spelt in ("raid50", "raid 50", "raid-50"):
        assert coverage(tokens, matched, idf.get, 2.0, only(("raid",), (spelt,))) == pytest.approx(1.0), spelt
    # raid is a term no section writes: the analyzer's acronym of words spelled out.
    assert coverage(tokens, matched, idf.get, 2.0, only()) == pytest.approx(1.0)
    # Neither a term nor written.
    assert coverage(tokens, matched, {**idf, "raid": None}.get, 2.0, only()) == 0.0
    # Without written, a numbered name only weighs.
    assert coverage(tokens, matched, idf.get, 2.0) == pytest.approx(1.0)


def test_coverage_a_name_and_its_version_are_written_together(analyzer):
    tokens = read_question(analyzer, "TLS 1.4の往復")
    idf = {"tls": 1.0, "1.4": 1.0, "1": 1.0, "4": 1.0, "往復": 1.0}
    calls = []

    def written(*args):
        calls.append(args)
        return args == ("1.4", "tls")

    assert coverage(tokens, set(idf), idf.get, 2.0, written) == pytest.approx(1.0)
    assert calls[:2] == [("tls 1.4",), ("1.4", "tls")]
    assert coverage(tokens, set(idf), idf.get, 2.0, lambda *args: args == ("tls",)) == 0.0


def test_coverage_a_numbered_name_with_another_name_the_notes_hold_is_covered():
    name = Concept(("raid", "50"), (), aliases=(("raid", "fifty"),), name="raid50")
    tokens = [_token("raid", name), _token("50", name), _token("raid", name, part=True), _token("fifty", name, part=True)]
    idf = {"raid": 1.0, "50": 1.0, "fifty": 1.0}
    assert coverage(tokens, {"raid", "50"}, idf.get, 2.0, lambda *a: a == ("raid",)) == pytest.approx(1.0)
    # The other name must be all known.
    idf = {"raid": 1.0, "50": 1.0}
    assert coverage(tokens, {"raid", "50"}, idf.get, 2.0, lambda *a: a == ("raid",)) == 0.0


def test_coverage_a_term_of_another_name_is_skipped_not_the_rest(analyzer):
    tokens = read_question(analyzer, "AMD-VとVT-xの違い", lambda concepts: [(0, 1, (("svm",),))])
    idf = {"amd": 1.0, "v": 1.0, "svm": 1.0, "vt": 1.0, "x": 1.0, "違い": 1.0}
    # AMD-V is found; VT-x and 違い, after SVM, still weigh.
    assert coverage(tokens, {"amd", "v"}, idf.get, 2.0) == pytest.approx(2.0 / 5.0)


def test_coverage_a_term_that_also_names_weighs_as_a_name():
    # The same unknown term as a phrasing word and as a name: it does not only phrase.
    word = Concept(("kvm",))
    tokens = [_token("走る", Concept(("走る",))), _token("走る", Concept(("走る",)), phrasing=True), _token("kvm", word)]
    assert coverage(tokens, {"kvm"}, {"kvm": 1.0}.get, 3.0) == pytest.approx(0.25)
    tokens = [tokens[1], tokens[0], tokens[2]]
    assert coverage(tokens, {"kvm"}, {"kvm": 1.0}.get, 3.0) == pytest.approx(0.25)


def test_coverage_a_loanword_matches_whole_or_not_at_all(analyzer):
    tokens = read_question(analyzer, "ロードバランサーとは")
    idf = {"ロード": 1.0, "バランサー": 1.0}
    assert coverage(tokens, {"ロード"}, idf.get, 2.0) == 0.0
    assert coverage(tokens, {"ロード", "バランサー"}, idf.get, 2.0) == pytest.approx(1.0)


def test_coverage_a_part_of_an_unknown_loanword_weighs_and_never_matches():
    word = Concept(("ハイパースレッディング",), ("ハイパー", "スレッディング"))
    tokens = [_token("ハイパースレッディング", word), _token("ハイパー", word, part=True), _token("スレッディング", word, part=True)]
    idf = {"ハイパー": 1.0}
    assert coverage(tokens, {"ハイパー"}, idf.get, 2.0) == 0.0
    # The notes know the whole word: its parts match.
    idf = {"ハイパースレッディング": 2.0, "ハイパー": 1.0, "スレッディング": 1.0}
    assert coverage(tokens, {"ハイパー"}, idf.get, 2.0) == pytest.approx(0.25)
    # A compound that is not a loanword: a part the notes use matches.
    word = Concept(("仮想化",), ("仮想",))
    tokens = [_token("仮想化", word), _token("仮想", word, part=True)]
    assert coverage(tokens, {"仮想"}, {"仮想": 1.0}.get, 3.0) == pytest.approx(0.25)


def test_coverage_other_names_match_the_parts_of_a_word_and_do_not_weigh():
    word = Concept(("仮想化",), ("仮想",), aliases=(("virtualization",), ("virtual", "machine")))
    tokens = [_token("仮想化", word), _token("仮想", word, part=True)]
    tokens += [_token(t, word, part=True) for t in ("virtualization", "virtual", "machine")]
    idf = {"仮想化": 1.0, "仮想": 1.0, "virtualization": 5.0, "virtual": 5.0, "machine": 5.0}
    # The names' idfs weigh nothing; a name the section says finds the word's parts.
    assert coverage(tokens, {"仮想化", "仮想"}, idf.get, 9.0) == pytest.approx(1.0)
    assert coverage(tokens, {"virtualization"}, idf.get, 9.0) == pytest.approx(1.0)
    assert coverage(tokens, {"virtual", "machine"}, idf.get, 9.0) == pytest.approx(1.0)
    assert coverage(tokens, {"virtual"}, idf.get, 9.0) == 0.0  # half a name is no name


def test_coverage_a_section_that_says_only_another_name_covers_the_word(analyzer):
    # The glossary says EPT = 拡張ページテーブル; a section that says 拡張ページテーブル and
    # 役割 holds all of "EPTの役割は？".
    tokens = read_question(analyzer, "EPTの役割は？", lambda concepts: [(0, 0, (("拡張", "ページ", "テーブル"),))])
    idf = {"拡張": 1.0, "ページ": 1.0, "テーブル": 1.0, "役割": 1.0}
    assert coverage(tokens, {"拡張", "ページ", "テーブル", "役割"}, idf.get, 3.0) == pytest.approx(1.0)


def test_coverage_plain_tokens_each_weigh_as_their_term(analyzer):
    tokens = analyzer.tokens("KVMは速い")  # plain Tokens, 速い a phrasing verb
    assert coverage(tokens, {"kvm"}, {"kvm": 1.0}.get, 3.0) == pytest.approx(1.0)
    assert coverage(tokens, {"kvm"}, {"kvm": 1.0, "速い": 1.0}.get, 3.0) == pytest.approx(0.5)


def test_identifiers_of_plain_text():
    assert identifiers("") == []
    assert identifiers("IPv6とIPv6") == [(0, 4, "ip v6"), (5, 9, "ip v6")]
    assert identifiers("HTTP3") == [(0, 5, "http3")]


# --- readings the mutation run found wrong, fixed in refusal.py ---


@pytest.mark.parametrize("question, sides", [
        ("forとwhileの違い", ["for", "while"]),
        ("ifとswitchの違いは？", ["if", "switch"]),
        ("プランAとプランBの違い", ["プランA", "プランB"]),
    ],
)
def test_code_keywords_are_compared_in_a_japanese_question(analyzer, question, sides):
    # is_english_phrased: in a Japanese question English words name code (`for` 文).
    assert _texts(question, comparison_spans(analyzer.morphemes(question), question)) == sides


def test_a_full_width_head_after_an_no_is_a_topic_name(analyzer):
    concepts = _concepts(analyzer, "asyncioのＴａｓｋＧｒｏｕｐとは")
    assert concepts["taskgroup"].topic == "taskgroup"


def test_a_head_typed_after_no_and_a_space_is_a_topic_name(analyzer):
    concepts = _concepts(analyzer, "asyncioの TaskGroupとは")
    assert concepts["taskgroup"].topic == "taskgroup"


def test_the_side_after_vs_takes_spaced_words_as_the_side_before_does(analyzer):
    question = "Windows Server vs Red Hat Enterprise Linux"
    sides = _texts(question, comparison_spans(analyzer.morphemes(question), question))
    assert sides == ["Windows Server", "Red Hat Enterprise Linux"]


def test_an_english_generic_word_in_a_japanese_question_heads_nothing(analyzer):
    # "difference" says what kind of answer is wanted, as 違い does: DENSE_RANK heads the
    # topic, so a notes folder that writes DENSE_RANK answers it.
    concepts = _concepts(analyzer, "RANK と DENSE_RANK の difference は？")
    assert not concepts["difference"].subject


@pytest.mark.parametrize(
    "question, share",
    [
        ("What is ECMP routing?", 0.0),  # a proper name the notes never write: no answer
        ("What is PrivateLink routing?", 0.0),
        ("What is ecmp routing?", 0.5),  # no capitals: it only weighs
        ("What is Ecmp routing?", 0.5),
    ],
)
def test_an_english_question_about_an_unwritten_proper_name(analyzer, question, share):
    idf = {"routing": 2.0}.get
    never = lambda *names: False  # noqa: E731 - no section writes anything
    assert coverage(read_question(analyzer, question), {"routing"}, idf, 2.0, never) == pytest.approx(share)


def test_a_proper_name_in_a_japanese_topic(analyzer):
    idf = {"ssd": 2.0, "速い": 2.0}.get
    never = lambda *names: False  # noqa: E731
    # ZNS qualifies the topic's head: the question is about a ZNS SSD.
    assert coverage(read_question(analyzer, "ZNS SSDは速い？"), {"ssd", "速い"}, idf, 2.0, never) == 0.0
    # Outside the topic it only weighs; before an の it names what the head belongs to.
    assert coverage(read_question(analyzer, "SSDはZNSより速い？"), {"ssd", "速い"}, idf, 2.0, never) > 0.0
    assert coverage(read_question(analyzer, "ZNSのSSDは速い？"), {"ssd", "速い"}, idf, 2.0, never) > 0.0
    # The notes write it: an answer.
    assert coverage(read_question(analyzer, "ZNS SSDは速い？"), {"ssd", "速い"}, idf, 2.0, lambda *n: True) > 0.0


def test_unwritten_names_the_words_the_notes_never_use_as_typed(analyzer):
    idf = {"スケジューラ": 1.0, "タスク": 1.0, "cgroups": 1.0}.get
    inside = lambda name, also="": name in "cgroups"  # noqa: E731 - what the one section writes
    question = "EEVDF と BORE のスケジューラはどうやってタスクを選ぶの？教えて"
    # Phrasing (どう, 選ぶ, 教える) and known words are left out; the rest in the question's order.
    assert unwritten(read_question(analyzer, question), question, idf, inside) == ("EEVDF", "BORE")
    assert unwritten(read_question(analyzer, question), question, idf, inside, limit=1) == ("EEVDF",)
    # Written inside a longer word (cgroup in cgroups) is written.
    assert unwritten(read_question(analyzer, "cgroupとは"), "cgroupとは", idf, inside) == ()
    # A katakana loanword is named whole, even when a piece of it is known.
    idf_kata = {"オート": 1.0}.get
    assert unwritten(read_question(analyzer, "オートスケーリングの仕組み"), "オートスケーリングの仕組み", idf_kata, inside) == (
        "オートスケーリング",
    )
    # Only generic words and asking words: nothing to name.
    assert unwritten(read_question(analyzer, "仕組みを教えて"), "仕組みを教えて", {}.get, inside) == ()


def test_unwritten_leaves_out_a_word_the_glossary_names(analyzer):
    def aliases(concepts):
        return [(i, i, (("拡張ページテーブル",),)) for i, c in enumerate(concepts) if c.pieces == ("ept",)]

    idf = {"拡張ページテーブル": 1.0}.get
    never = lambda *names: False  # noqa: E731
    question = "EPTとNPTの違い"
    assert unwritten(read_question(analyzer, question, aliases), question, idf, never) == ("NPT",)


@pytest.mark.parametrize("question", ["AWS のEC2は速い？", "AWS　のEC2は速い？"])
def test_a_proper_name_spaced_before_an_no_is_not_the_subject(analyzer, question):
    # Spaced as a learner may type it, AWS still names what EC2 belongs to: the notes
    # that hold EC2 and 速い answer, though they never write AWS (it only weighs).
    idf = {"ec": 2.0, "2": 2.0, "速い": 2.0}.get
    not_aws = lambda name, also="": "aws" not in name  # noqa: E731
    matched = {"ec", "2", "速い"}
    assert coverage(read_question(analyzer, question), matched, idf, 2.0, not_aws) == pytest.approx(0.75)
    # Unspaced, the same; AWS qualifying the head without an の is what it is about.
    assert coverage(read_question(analyzer, "AWSのEC2は速い？"), matched, idf, 2.0, not_aws) == pytest.approx(0.75)
    assert coverage(read_question(analyzer, "AWS EC2は速い？"), matched, idf, 2.0, not_aws) == 0.0


@pytest.mark.parametrize("after", ["は", "が", "の", "で", "と", "を", "も", "って", "？", "?", "、", ",", "。", ""])
def test_a_spaced_model_number_before_any_particle(after):
    assert identifiers(f"RAID 60{after}") == [(0, 7, "raid60")]
    assert identifiers(f"RAID 60 {after}") == [(0, 7, "raid60")]


def test_a_spaced_model_number_typed_with_full_width_spaces():
    # An ellipsis changes the length of the NFKC text, so the question is read as typed:
    # the full-width spaces and question mark stay.
    assert identifiers("えっと…RAID　60　は？") == [(4, 11, "raid60")]
    assert identifiers("えっと…RAID 60？") == [(4, 11, "raid60")]


@pytest.mark.parametrize("text", ["MD-RAID 6 は", "conf.RAID 6 は", "mdRAID 6 は", "A 4 の紙は？", "RAID 6x は"])
def test_a_spaced_number_after_a_joined_word_or_a_single_capital_names_no_model(text):
    assert identifiers(text) == []


@pytest.mark.parametrize("question", ["Why", "Explain", "Why？", "How？"])
def test_an_english_opening_word_alone_or_before_a_full_width_question_mark(question):
    assert is_english_phrased(question)


def test_unwritten_reads_past_phrasing_words_and_stops_at_its_limit(analyzer):
    never = lambda *names: False  # noqa: E731 - no section writes anything
    # A generic word first does not end the reading; a formal noun (ため) names nothing.
    assert unwritten(read_question(analyzer, "仕組みとEEVDFの関係"), "仕組みとEEVDFの関係", {}.get, never) == ("EEVDF",)
    assert unwritten(read_question(analyzer, "ためのEEVDF"), "ためのEEVDF", {}.get, never) == ("EEVDF",)
    # At most three by default, in the question's order.
    question = "EEVDF と BORE と MuQSS と BFS"
    assert unwritten(read_question(analyzer, question), question, {}.get, never) == ("EEVDF", "BORE", "MuQSS")


def test_unwritten_names_no_plain_token():
    from bot.core.analyzer import Token

    # Only a question's own tokens (with their words) are read: an analyzer's plain token is not.
    assert unwritten([Token("eevdf", 0, 5, False, False)], "EEVDF", {}.get, lambda *n: False) == ()
