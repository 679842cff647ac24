import pytest


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

from bot.core.analyzer import joined_only, spans_of  # noqa: E402


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
    from bot.core.morphology import shared_morphology

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
    from bot.core.analyzer import Analyzer

    plain = Analyzer(expand_compounds=False, acronyms=False)
    assert plain.terms("準仮想化とWindows Subsystem") == ["準", "仮想化", "windows", "サブシステム"]


def test_keeping_function_words():
    from bot.core.analyzer import Analyzer

    assert "何" in Analyzer(drop_function_words=False).terms("何をする")
    assert "何" not in Analyzer().terms("何をする")
