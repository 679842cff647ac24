import pytest

from bot.core.analyzer import Analyzer, Token, joined_only, spans_of
from bot.core.morphology import Morpheme, shared_morphology


@pytest.mark.parametrize(
    "a, b",
    [
        ("ハイパーバイザ", "ハイパーバイザー"),
        ("KVM", "kvm"),
        ("QEMU", "qemu"),
        ("Kerberos", "kerberos"),
        ("Linux", "linux"),
        ("コンテナー", "コンテナ"),
        ("ＫＶＭ", "KVM"),
    ],
)
def test_spelling_variants_give_the_same_terms(analyzer, a, b):
    assert analyzer.terms(a) == analyzer.terms(b) != []


def test_particles_auxiliaries_symbols_and_spaces_are_dropped(analyzer):
    terms = analyzer.terms("KVMとQEMUの違いは？ 😀!!")
    assert terms == ["kvm", "qemu", "違い"]


def test_only_symbols_or_emoji_give_no_terms(analyzer):
    assert analyzer.terms("!!!") == []
    assert analyzer.terms("😀🎉✨") == []
    assert analyzer.terms("   \n\t") == []


def test_compounds_add_their_parts_but_not_bare_affixes(analyzer):
    terms = analyzer.terms("準仮想化")
    assert "仮想化" in terms and "仮想" in terms
    assert "化" not in terms
    assert {"amazon", "ec", "2"} <= set(analyzer.terms("Amazon EC2"))


def test_acronyms_of_capitalised_word_runs(analyzer):
    assert "wsl" in analyzer.terms("Windows Subsystem for Linux 2")
    assert "ad" in analyzer.terms("Active Directory: ユーザー管理")


def test_topic_terms_are_the_opening_noun_phrase(analyzer):
    assert analyzer.topic_terms("- 準仮想化はゲストOSが") == ["準", "仮想化"]
    assert analyzer.topic_terms("- コントロールグループ: CPU") == ["コントロール", "グループ"]


def test_text_longer_than_sudachis_limit_is_analysed(analyzer):
    text = ("仮想化の話。" * 3000 + "\n") * 3 + "😀" * 20000 + "最後のKVM"
    terms = analyzer.terms(text)
    assert terms.count("仮想化") == 9000
    assert terms[-1] == "kvm"


def test_spans_point_at_surface_text_for_highlighting(analyzer):
    text = "ハイパーバイザとKVM"
    spans = analyzer.spans(text, frozenset({"ハイパーバイザー", "kvm"}))
    assert [text[a:b] for a, b in spans] == ["ハイパーバイザ", "KVM"]


def test_verbs_adjectives_and_adverbs_are_marked_as_phrasing(analyzer):
    phrasing = {t.term: t.phrasing for t in analyzer.tokens("なぜ仮想化は速いのか教えて")}
    assert phrasing == {"何故": True, "仮想化": False, "仮想": False, "速い": True, "教える": True}


# Highlight spans --------------------------------------------------------------

def spanned(text: str, spans) -> list[str]:
    return [text[a:b] for a, b in spans]


def test_spans_are_in_order_and_only_of_wanted_terms(analyzer):
    text = "KVMはQEMUとKVMを使う"
    assert spanned(text, analyzer.spans(text, frozenset({"kvm"}))) == ["KVM", "KVM"]
    assert analyzer.spans(text, frozenset()) == []
    assert analyzer.spans("", frozenset({"kvm"})) == []


def test_adjacent_and_overlapping_spans_merge(analyzer):
    # 仮想化 and its mode-A part 仮想 overlap: one span, not two.
    assert spanned("準仮想化の話", analyzer.spans("準仮想化の話", frozenset({"仮想化", "仮想"}))) == ["仮想化"]
    # Touching words merge into one span.
    text = "仮想マシン"
    assert spanned(text, analyzer.spans(text, frozenset(analyzer.terms(text)))) == ["仮想マシン"]


def test_pieces_joined_by_a_hyphen_or_dot_are_one_span(analyzer):
    text = "Intel VT-dとVT.dの話"
    assert spanned(text, analyzer.spans(text, frozenset({"vt", "d"}))) == ["VT-d", "VT.d"]


def test_a_gap_of_three_joiners_or_of_other_characters_splits_spans():
    text = "ab---cd ab cd"
    tokens = [("ab", 0, 2), ("cd", 5, 7), ("ab", 8, 10), ("cd", 11, 13)]
    assert spans_of(tokens, text, {"ab", "cd"}) == [(0, 2), (5, 7), (8, 10), (11, 13)]
    assert spans_of([("ab", 0, 2), ("cd", 4, 6)], "ab--cd", {"ab", "cd"}) == [(0, 6)]
    assert spans_of([("ab", 0, 2), ("cd", 3, 5)], "ab_cd", {"ab", "cd"}) == [(0, 5)]


def test_spans_ignore_token_order():
    tokens = [("b", 4, 5), ("a", 0, 1)]
    assert spans_of(tokens, "a   b", {"a", "b"}) == [(0, 1), (4, 5)]


def test_highlighting_vt_d_does_not_bold_the_vt_of_vt_x(analyzer):
    question = "VT-dとは？"
    text = "VT-xはCPUの仮想化支援、VT-dはIOMMUによるデバイスの割り当て"
    joined = joined_only(analyzer.tokens(question), question)
    assert joined == {"vt", "d"}
    spans = analyzer.spans(text, frozenset(analyzer.terms(question)), joined)
    assert spanned(text, spans) == ["VT-d"]


def test_a_term_asked_on_its_own_is_bolded_inside_joined_words_too(analyzer):
    question = "VTとVT-dの違い"
    assert joined_only(analyzer.tokens(question), question) == {"d"}
    text = "VT-xとVT-d"
    spans = analyzer.spans(text, frozenset({"vt", "d"}), joined_only(analyzer.tokens(question), question))
    assert spanned(text, spans) == ["VT", "VT-d"]


def test_a_joined_word_asked_whole_is_bolded_whole(analyzer):
    question = "VT-xとVT-dの違い"
    joined = joined_only(analyzer.tokens(question), question)
    text = "VT-xとVT-d"
    assert spanned(text, analyzer.spans(text, frozenset({"vt", "x", "d"}), joined)) == ["VT-x", "VT-d"]


def test_questions_without_joined_words_join_nothing(analyzer):
    for question in ["KVMとは", "準仮想化の仕組み", "", "!!!", "Windows Subsystem for Linux"]:
        assert joined_only(analyzer.tokens(question), question) == frozenset()


def test_tokens_from_morphemes_equal_tokens(analyzer):
    text = "準仮想化とAmazon EC2、Windows Subsystem for Linuxを速く使う"
    morphemes = shared_morphology().morphemes(text, compounds=True)
    assert analyzer.tokens_from_morphemes(morphemes, text) == analyzer.tokens(text)
    assert analyzer.topic_from_morphemes(morphemes, text) == analyzer.topic_terms(text) == ["準", "仮想化"]


def test_compound_parts_and_acronyms_are_marked_as_parts(analyzer):
    tokens = {(t.term, t.part) for t in analyzer.tokens("準仮想化とAmazon EC2とWindows Subsystem")}
    assert {("仮想化", False), ("仮想", True), ("amazon ec2", False), ("amazon", True), ("ec", True), ("2", True)} <= tokens
    assert ("ws", True) in tokens


def test_topic_terms_skip_the_leading_mark_and_stop_at_200_characters(analyzer):
    assert analyzer.topic_terms("1. VT-dの話") == ["vt"]
    assert analyzer.topic_terms("  * KVM") == ["kvm"]
    long_topic = "仮想" * 150
    assert 0 < len("".join(analyzer.topic_terms("- " + long_topic))) <= 200


def test_without_compounds_no_parts_are_indexed():
    plain = Analyzer(expand_compounds=False, acronyms=False)
    assert plain.terms("準仮想化とWindows Subsystem") == ["準", "仮想化", "windows", "サブシステム"]


def test_keeping_function_words():
    assert "何" in Analyzer(drop_function_words=False).terms("何をする")
    assert "何" not in Analyzer().terms("何をする")


# Found by mutation testing (mutmut over bot/core/analyzer.py) ----------------------


def test_a_default_analyzer_expands_compounds_drops_function_words_and_makes_acronyms():
    fresh = Analyzer()
    assert {"仮想", "仮想化"} <= set(fresh.terms("準仮想化"))
    assert "wsl" in fresh.terms("Windows Subsystem for Linux")
    assert "何" not in fresh.terms("何をする")


def test_latin_compound_parts_point_at_their_words(analyzer):
    text = "XはAmazon EC2で動く"
    parts = [(t.term, text[t.begin : t.end]) for t in analyzer.tokens(text) if t.part and t.term != "ae"]
    assert parts == [("amazon", "Amazon"), ("ec", "EC"), ("2", "2")]


def test_a_latin_word_of_two_pieces_is_split_and_one_piece_is_not():
    analyzer = Analyzer()
    two = Morpheme("Python3", 4, 11, ("名詞", "固有名詞", "一般", "*", "*", "*"), "Python3")
    assert analyzer._parts(two) == [Token("python", 4, 10, part=True), Token("3", 10, 11, part=True)]
    one = Morpheme("Python", 4, 10, ("名詞", "固有名詞", "一般", "*", "*", "*"), "Python")
    assert analyzer._parts(one) == []


def test_parts_of_a_compound_verb_are_phrasing(analyzer):
    tokens = {t.term: (t.phrasing, t.part) for t in analyzer.tokens("使い分ける")}
    assert tokens == {"使い分ける": (True, False), "使う": (True, True), "分ける": (True, True)}


def test_the_topic_stops_at_a_verb_a_pronoun_or_an_adnominal(analyzer):
    assert analyzer.topic_terms("- 動かすKVM") == []
    assert analyzer.topic_terms("- それはKVM") == []
    assert analyzer.topic_terms("- このKVM") == []
    assert analyzer.topic_terms("- KVM仮想化") == ["kvm", "仮想化"]


def test_a_topic_may_end_exactly_at_200_characters(analyzer):
    assert analyzer.topic_terms("- " + "a" * 200) == ["a" * 200]
    assert analyzer.topic_terms("- " + "a" * 201) == []


def test_three_pieces_joined_are_one_joined_word(analyzer):
    question = "VT-d-xとは"
    assert joined_only(analyzer.tokens(question), question) == {"vt", "d", "x"}


def test_a_part_inside_a_longer_word_is_no_word_of_its_own():
    # b lies inside a (a compound and its part): the word is a, which is not wanted.
    assert spans_of([("b", 2, 3), ("a", 0, 5)], "aaaaa", {"b"}, {"b"}) == []
    assert spans_of([("b", 2, 3), ("a", 0, 5)], "aaaaa", {"b"}) == [(2, 3)]


def test_a_compound_comes_before_its_first_part():
    # ab and its part a start together: ab is the word; c is joined to it by a hyphen.
    tokens = [("ab", 0, 2), ("a", 0, 1), ("c", 3, 4)]
    assert spans_of(tokens, "ab-c", {"a", "c"}, {"a"}) == [(3, 4)]
    assert spans_of(list(reversed(tokens)), "ab-c", {"a", "c"}, {"a"}) == [(3, 4)]


def test_a_touching_word_starts_a_word_of_its_own():
    # b touches a without a joiner: b-c is its own joined word, both wanted.
    assert spans_of([("a", 0, 1), ("b", 1, 2), ("c", 3, 4)], "ab-c", {"b", "c"}, {"c"}) == [(1, 4)]


def test_a_joined_word_is_whole_only_if_every_piece_is_wanted():
    tokens = [("a", 0, 1), ("b", 2, 3), ("c", 4, 5)]
    assert spans_of(tokens, "a-b-c", {"a", "c"}, {"a", "c"}) == []
    assert spans_of(tokens, "a-b-c", {"a", "b", "c"}, {"a", "c"}) == [(0, 5)]
    # A compound's part extends its word: d after the compound ab is joined to it.
    tokens = [("ab", 0, 2), ("b", 1, 3), ("d", 4, 5)]
    assert spans_of(tokens, "abb-d", {"ab", "b", "d"}, {"d"}) == [(0, 5)]


def test_only_hyphens_dots_and_underscores_join():
    for gap in ["X", " ", "、", "--x"]:
        text = f"a{gap}b"
        assert spans_of([("a", 0, 1), ("b", 1 + len(gap), 2 + len(gap))], text, {"a", "b"}) == [
            (0, 1),
            (1 + len(gap), 2 + len(gap)),
        ]


def _noun(surface: str, begin: int, normalized: str | None = None, parts=()):
    pos = ("名詞", "普通名詞", "一般", "*", "*", "*")
    return Morpheme(surface, begin, begin + len(surface), pos, normalized or surface, parts)


def test_a_compound_of_neither_latin_nor_japanese_words_gives_its_parts(analyzer):
    # Greek letters: no Latin word, no kana or kanji; the compound's parts count.
    compound = _noun("αβγδ", 0, parts=(_noun("αβ", 0), _noun("γδ", 2)))
    assert [t.term for t in analyzer.tokens_from_morphemes([compound], "αβγδ")] == ["αβγδ", "αβ", "γδ"]


def test_compound_parts_are_lower_cased(analyzer):
    compound = _noun("Ｘ線写真", 0, "X線写真", parts=(_noun("Ｘ線", 0, "X線"), _noun("写真", 2)))
    assert [t.term for t in analyzer.tokens_from_morphemes([compound], "Ｘ線写真")] == ["x線写真", "x線", "写真"]


def test_a_part_never_shortens_its_word():
    # abc with its part ab: the word still ends at c, so d is joined to it by the hyphen.
    tokens = [("abc", 0, 3), ("ab", 0, 2), ("d", 4, 5)]
    assert spans_of(tokens, "abc-d", {"ab", "d"}, {"d"}) == [(0, 2)]


def test_english_question_words_never_make_acronyms(analyzer):
    # "What is KVM?" was given the acronym wk, and "What Is KVM" wik.
    assert "wk" not in analyzer.terms("What is KVM?")
    assert {"wk", "wik"}.isdisjoint(analyzer.terms("What Is KVM"))
    assert "hdkw" not in analyzer.terms("How Does KVM Work")
    assert "wsl" in analyzer.terms("Windows Subsystem for Linux")
    assert "ad" in analyzer.terms("Active Directory")
