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
