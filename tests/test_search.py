import shutil

import pytest

from bot.core.analyzer import joined_only
from bot.core.evaluation import evaluate, load_questions
from bot.core.models import Hit, Section
from bot.core.compare import comparison
from bot.core.index import char_bigrams
from bot.core.notes import load_corpus, parse_notes
from bot.core import search as search_module
from bot.core.search import BIGRAM_WEIGHT, SectionSearch, TextTokens, in_text_order, opened_headings, term_keys, tokenize_sections
from bot.core.service import ELLIPSIS, AnswerService, QuestionError, excerpt_window
from tests.conftest import DATA, SHIPPED_CORPUS

# questions.jsonl is the set the ranking was tuned on: it must meet the target
# (hit@1 >= 0.90, hit@3 >= 0.97, every unanswerable question refused). The two holdout
# sets were written later by authors who never saw the ranking; their floors are what
# it measures on them (see README), so a regression fails there too.
# file: (hit@1, hit@3, unanswerable questions refused)
QUALITY_FLOORS = {
    "questions.jsonl": (0.90, 0.97, 12),
    "questions_holdout.jsonl": (0.88, 0.95, 8),
    "questions_holdout2.jsonl": (0.91, 0.95, 9),
}
# The real-shape corpora (tests/data/real) and their sets: what they measure now, so a
# change that lowers one fails here. (hit@1, hit@3, unanswerable refused, at most this
# many answerable questions refused)
REAL_FLOORS = {
    "obsidian": (0.95, 0.98, 7, 0),
    "obsidian_holdout": (0.89, 0.98, 9, 0),
    "obsidian_refusals": (0.80, 1.00, 20, 0),
    "obsidian_paraphrase": (0.65, 0.85, 0, 3),
    "textbook": (0.85, 0.95, 5, 0),
    "textbook_holdout": (0.92, 0.98, 4, 0),
    "textbook_refusals": (0.60, 1.00, 20, 0),
    "textbook_paraphrase": (0.72, 0.85, 0, 1),
    "til": (0.85, 0.98, 6, 0),
    "til_holdout": (0.87, 0.96, 3, 0),
    "til_refusals": (0.70, 1.00, 14, 0),
    "til_paraphrase": (0.72, 0.95, 0, 0),
}


def test_heading_path_is_searchable_context(service):
    hits = service.ask("準仮想化とは？").hits
    assert hits[0].section.headings == ("準仮想化",)
    # Found through the heading alone: the bullet never says 準仮想化.
    assert any(h.section.headings == ("準仮想化",) and "準仮想化" not in h.section.text for h in hits)


def test_kvm_and_qemu_question_finds_proxmox_with_matched_terms(service):
    top = service.ask("KVMとQEMUの違いは？").hits[0]
    assert top.section.headings == ("仮想化", "proxmox")
    assert {"kvm", "qemu"} <= set(top.matched)
    highlighted = service.highlight(top.section.text, top.matched, "<", ">")
    assert "<KVM>" in highlighted and "<QEMU>" in highlighted


@pytest.mark.parametrize("question", ["明日の予定は？", "こんにちは", "!!!", "Rustの所有権とは？", "😀😀", "a" * 5000])
def test_questions_the_notes_cannot_answer_get_no_hits(service, question):
    assert service.ask(question).hits == ()


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_empty_questions_are_refused(service, question):
    with pytest.raises(QuestionError):
        service.ask(question)


def test_quiz_prompts_are_about_what_was_asked(service):
    answer = service.ask("VT-dとは？")
    assert answer.quiz and answer.quiz[0].subject == "VT-d"
    assert all(item.section in {h.section for h in answer.hits} for item in answer.quiz)


def test_k_limits_the_hits(service):
    assert len(service.ask("仮想化", k=1).hits) == 1
    assert len(service.ask("仮想化", k=5).hits) == 5


@pytest.mark.parametrize("name", QUALITY_FLOORS)
def test_question_sets_meet_their_quality_floors(service, name):
    questions = load_questions(DATA / name)
    assert sum(1 for q in questions if q.expect) >= 40
    assert sum(1 for q in questions if not q.expect) >= 6
    report = evaluate(service.search, questions)
    hit_at_1, hit_at_3, refused = QUALITY_FLOORS[name]
    assert report.hit_at_1 >= hit_at_1, report.misses
    assert report.hit_at_3 >= hit_at_3, report.misses
    assert report.refused >= refused, report.misses


@pytest.fixture(scope="module")
def real_services(analyzer):
    return {shape: AnswerService(DATA / "real" / shape, analyzer) for shape in ("obsidian", "textbook", "til")}


@pytest.mark.parametrize("name", REAL_FLOORS)
def test_real_shape_sets_meet_their_quality_floors(real_services, name):
    shape = name.split("_")[0]
    report = evaluate(real_services[shape].search, load_questions(DATA / "real" / f"questions_{name}.jsonl"))
    hit_at_1, hit_at_3, refused, wrongly_refused = REAL_FLOORS[name]
    assert report.hit_at_1 >= hit_at_1, report.misses
    assert report.hit_at_3 >= hit_at_3, report.misses
    assert report.refused >= refused, report.misses
    assert report.wrongly_refused <= wrongly_refused, report.misses


def test_a_question_naming_a_heading_finds_the_first_passage_under_it(service):
    # "WSL2" is the heading's acronym; the last bullet under it, shorter, used to win.
    assert service.ask("wsl2の仕組みは？").hits[0].section.line_start == 45


def test_opened_headings_are_those_a_section_is_first_under():
    def section(line: int, *headings: str, file: str = "a.md") -> Section:
        return Section(file=file, line_start=line, line_end=line, headings=headings, text="x")

    first = section(1, "仮想化")
    label = section(2, "仮想化", "proxmox")
    after = section(3, "仮想化", "proxmox")
    assert opened_headings(first, None) == ["仮想化"]
    assert opened_headings(label, first) == ["proxmox"]
    assert opened_headings(after, label) == []
    assert opened_headings(section(1, "仮想化", file="b.md"), after) == ["仮想化"]


def test_words_that_only_phrase_a_question_do_not_lower_its_coverage(service):
    plain = service.search.rank("VT-dとは", 3).coverage
    # 教える and 詳しい are not in the notes, but only phrase the question...
    assert service.search.rank("VT-dについて詳しく教えてください", 3).coverage == pytest.approx(plain)
    # ...while a name the notes never use is what the question is about.
    assert service.search.rank("VT-dとAMD-Vとは", 3).coverage < plain / 2


# Hits carry their highlight spans; excerpts --------------------------------------

def test_hits_carry_the_spans_of_their_matched_words(service, analyzer):
    for question in ["KVMとQEMUの違いは？", "準仮想化とは？", "VT-dとは？", "コンテナの名前空間"]:
        for hit in service.ask(question, k=5).hits:
            # The same spans as tokenizing the hit's text again, without tokenizing it.
            assert hit.spans == tuple(analyzer.spans(hit.section.text, frozenset(hit.matched), hit_joined(analyzer, question)))
            assert all(hit.section.text[a:b] for a, b in hit.spans)


def hit_joined(analyzer, question):
    return joined_only(analyzer.tokens(question), question)


def test_highlight_of_a_hit_uses_its_spans_without_tokenizing(service, monkeypatch):
    top = service.ask("KVMとQEMUの違いは？").hits[0]
    monkeypatch.setattr(service.analyzer, "tokens", lambda text: pytest.fail("tokenized a hit again"))
    for highlighted in (service.highlight(top.section.text, top.matched, "<", ">"), service.highlight_hit(top, "<", ">")):
        assert "<KVM>" in highlighted and "<QEMU>" in highlighted
        assert highlighted.replace("<", "").replace(">", "") == top.section.text


def test_highlight_of_any_other_text_still_works(service):
    assert service.highlight("KVMの話", ("kvm",), "[", "]") == "[KVM]の話"


def test_a_short_hit_is_its_whole_text(service):
    top = service.ask("KVMとQEMUの違いは？").hits[0]
    assert len(top.section.text) <= 600
    assert service.excerpt(top) == top.section.text
    assert service.excerpt(top, before="<", after=">") == service.highlight_hit(top, "<", ">")


def long_hit(text: str, word: str) -> Hit:
    section = Section(file="a.md", line_start=1, line_end=1, headings=(), text=text)
    spans = []
    start = text.find(word)
    while start >= 0:
        spans.append((start, start + len(word)))
        start = text.find(word, start + len(word))
    return Hit(section, 1.0, ("kvm",), tuple(spans))


def test_a_long_hit_shows_about_600_characters_around_the_matched_words(service):
    text = "あ" * 3000 + "KVMはハイパーバイザ" + "い" * 3000
    excerpt = service.excerpt(long_hit(text, "KVM"), before="**", after="**")
    assert excerpt.startswith(ELLIPSIS) and excerpt.endswith(ELLIPSIS)
    assert "**KVM**はハイパーバイザ" in excerpt
    assert len(excerpt.replace("**", "")) == 600 + 2 * len(ELLIPSIS)
    # Context before the word, and more after it.
    before, after = excerpt.replace("**", "").strip(ELLIPSIS).split("KVM")
    assert 100 <= len(before) <= 200 < len(after)


def test_an_excerpt_at_either_end_of_the_text_has_one_ellipsis(service):
    head = service.excerpt(long_hit("KVM" + "あ" * 2000, "KVM"))
    assert head.startswith("KVM") and head.endswith(ELLIPSIS) and len(head) == 601
    tail = service.excerpt(long_hit("あ" * 2000 + "KVM", "KVM"))
    assert tail.startswith(ELLIPSIS) and tail.endswith("KVM") and len(tail) == 601


def test_the_excerpt_holds_the_stretch_with_the_most_matched_words(service):
    text = "KVM" + "あ" * 2000 + "KVMとKVMとKVM" + "い" * 2000
    excerpt = service.excerpt(long_hit(text, "KVM"), max_chars=100)
    assert excerpt.count("KVM") == 3 and excerpt.startswith(ELLIPSIS)


def test_a_long_hit_without_spans_shows_its_beginning(service):
    hit = Hit(Section("a.md", 1, 1, (), "あ" * 1000), 1.0, ())
    assert service.excerpt(hit, max_chars=10) == "あ" * 10 + ELLIPSIS


@pytest.mark.parametrize("length", [0, 1, 50, 599, 600, 601, 5000])
def test_excerpt_windows_fit_the_text(length):
    for spans in [(), ((0, 1),), ((length // 2, length // 2 + 1),), ((max(length - 1, 0), length),)]:
        start, end = excerpt_window(length, spans, 600)
        assert 0 <= start <= end <= length and end - start == min(length, 600)
        if length > 600 and spans:
            assert start <= spans[0][0] and spans[0][1] <= end


def test_a_heading_that_reads_as_a_sentence_is_not_doubled_in_its_first_passage():
    title = "sed -i が macOS で動かない"
    first = Section(file="a.md", line_start=3, line_end=3, headings=(title,), text="x")
    assert opened_headings(first, None) == []
    term = Section(file="b.md", line_start=3, line_end=3, headings=("わからなかったこと", "準仮想化"), text="x")
    assert opened_headings(term, None) == ["わからなかったこと", "準仮想化"]


def _search(analyzer, text: str) -> SectionSearch:
    return SectionSearch(tuple(parse_notes(text, "a.md")), analyzer)


def test_prose_that_explains_a_command_outranks_the_code_naming_it(analyzer):
    notes = (
        "# lsof\n\n```\nsudo lsof +L1\nsudo lsof | grep deleted\n```\n\n"
        "lsof +L1 は削除済みなのに開かれているファイルを出す。\n"
    )
    hits = _search(analyzer, notes).rank("lsof +L1 は何を表示する？", 3).hits
    assert [h.section.kind for h in hits] == ["paragraph", "code"]
    assert hits[1].score < hits[0].score


def test_word_and_bigram_scores_are_fused_over_their_best(analyzer, monkeypatch):
    monkeypatch.setattr(search_module, "PROXIMITY_WEIGHT", 0.0)  # the fusion alone
    monkeypatch.setattr(search_module, "ANSWER_TYPE_WEIGHT", 0.0)
    notes = "# a\n\n- 仮想化の話。\n- 準仮想化はゲストが協力する。\n- コンテナの話。\n"
    search = _search(analyzer, notes)
    question = "準仮想化とは？"
    query = [t.term for t in analyzer.tokens(question)]
    words = search.index.scores(query)
    pairs = search.index.pairs.scores(char_bigrams(question))
    hits = search.rank(question, 3).hits
    for hit in hits:
        doc = search.sections.index(hit.section)
        expected = (1 - BIGRAM_WEIGHT) * words[doc] / words.max() + BIGRAM_WEIGHT * pairs[doc] / pairs.max()
        assert hit.score == pytest.approx(expected)
    assert BIGRAM_WEIGHT == 0.15


@pytest.mark.parametrize(
    ("question", "pair"),
    [
        ("ライトスルーとライトバックの違い", ("ライトスルー", "ライトバック")),
        ("完全仮想化と準仮想化はどう違う？", ("完全仮想化", "準仮想化")),
        ("コントロールグループ vs 名前空間、それぞれ何をしてくれるの？", ("コントロールグループ", "名前空間")),
        ("KVMとQEMUって役割がどう違うの？", ("KVM", "QEMU")),
        ("SET LOCALとSETの違い", ("SET LOCAL", "SET")),
        ("KVMとは？", None),
        ("forkの戻り値は親と子でどう違う？", None),  # a side would be a piece of sentence
        ("PostgreSQLのtextとvarcharに性能差はある？", None),  # no word of difference
    ],
)
def test_comparison_finds_the_two_things_compared(question, pair):
    assert comparison(question) == pair


def test_a_comparison_holds_the_section_of_each_side_in_the_top_3(analyzer):
    corpus = DATA / "real" / "textbook"
    sections = tuple(
        section
        for path in sorted(corpus.rglob("*.md"))
        for section in parse_notes(path.read_text(encoding="utf-8"), path.relative_to(corpus).as_posix())
    )
    search = SectionSearch(sections, analyzer)
    hits = search.rank("差分バックアップと増分バックアップの違い", 3).hits
    lines = {(h.section.file, h.section.line_start) for h in hits}
    assert ("part2/chapters/06-backup.md", 18) in lines  # 差分バックアップ は ...
    assert ("part2/chapters/06-backup.md", 21) in lines  # 増分バックアップ は ...


def test_words_asked_together_find_the_section_that_writes_them_together(analyzer, monkeypatch):
    notes = (
        "# 祭り\n\n"
        "- 住民の数を数えた城主は、その年の秋の祭りを許可した\n"
        "- 城主が住民に祭りを許可した年は、川の水も多く、米も麦も豆も豊作だった\n"
    )
    search = _search(analyzer, notes)
    question = "住民に許可したのは誰？"
    # 住民 and 許可 six characters apart beat the section naming them far apart...
    near = search.rank(question, 2).hits
    assert [h.section.line_start for h in near] == [4, 3]
    # ... which the fused BM25 alone puts first (its topic is 住民, and it is shorter).
    monkeypatch.setattr(search_module, "PROXIMITY_WEIGHT", 0.0)
    assert [h.section.line_start for h in search.rank(question, 2).hits] == [3, 4]
    assert near[0].score == pytest.approx(search.rank(question, 2).hits[1].score + 0.1)


def test_a_hit_shares_a_word_with_the_question_not_only_letter_pairs(analyzer, tmp_path):
    # 「…って何？」 shares letter pairs with half the notes; a section that holds none of
    # the question's words is no answer to show, however the pair index ranks it.
    notes = tmp_path / "notes"
    notes.mkdir()
    shutil.copy(SHIPPED_CORPUS / "notes.md", notes / "notes.md")
    (notes / "day.md").write_text(
        "# 学んだこと\n\n- ソケットアクティベーションは、先にソケットを開いておき接続が来たらサービスを起動する仕組み\n",
        encoding="utf-8",
    )
    hits = AnswerService(notes, analyzer).search.search("ソケットアクティベーションって何？", 3)
    assert hits[0].section.file == "day.md"
    assert all(hit.matched for hit in hits), [(h.section.title, h.matched) for h in hits]


def test_a_why_question_finds_the_section_that_gives_the_cause(analyzer):
    text = (
        "# df ではディスクが一杯なのに du で見ると小さい\n\n"
        "本番サーバで df が 100% なのに du で足すと半分しかない、という状況で困った。\n\n"
        "原因: 削除されたけどプロセスがまだ開いているファイル。\n"
    )
    search = _search(analyzer, text)
    for question in ("dfだとディスクが一杯なのにduで見ると小さいのはなぜ？", "dfが一杯なのにduで小さい理由"):
        assert search.search(question, 3)[0].section.line_start == 5, question
    # Asked what happened, not why, the restated symptom stays first.
    assert search.search("dfが一杯なのにduで小さい状況", 3)[0].section.line_start == 3


@pytest.mark.parametrize("label", ["- Why: ", "- why：", "Why: "])
def test_a_why_label_gives_the_cause(analyzer, label, monkeypatch):
    # TIL notes label the explanation "- Why:"; here it says the same as the shorter item.
    text = f"# NOT IN と NULL\n\n- NULL が混ざると NOT IN は空になる\n\n{label}NULL が混ざると NOT IN は空になる\n"
    search = _search(analyzer, text)
    assert search.search("NULL が混ざると NOT IN が空になるのはなぜ？", 3)[0].section.line_start == 5
    # Asked what happens, not why, the shorter stays first; and without the bonus.
    assert search.search("NULL が混ざると NOT IN はどうなる？", 3)[0].section.line_start == 3
    monkeypatch.setattr(search_module, "ANSWER_TYPE_WEIGHT", 0.0)
    assert search.search("NULL が混ざると NOT IN が空になるのはなぜ？", 3)[0].section.line_start == 3


def test_a_how_label_gives_the_method(analyzer, monkeypatch):
    # The same sentence twice, once labelled "- How:" as TIL notes write the fix.
    text = "# fd\n\n- 消したファイルの容量はプロセスを再起動すると戻る\n\n- How: 消したファイルの容量はプロセスを再起動すると戻る\n"
    search = _search(analyzer, text)
    for question in ("消したファイルの容量を戻すには？", "どうやって消したファイルの容量を戻す？"):
        assert search.search(question, 3)[0].section.line_start == 5, question
    assert search.search("消したファイルの容量は戻る？", 3)[0].section.line_start == 3
    monkeypatch.setattr(search_module, "ANSWER_TYPE_WEIGHT", 0.0)
    assert search.search("消したファイルの容量を戻すには？", 3)[0].section.line_start == 3


def test_the_why_label_is_a_label_at_a_line_start():
    cause = search_module._CAUSE
    assert cause.search("- How: 先に消す\n  - Why: 古い fd に書き続ける")
    assert not cause.search("Whyは分からない") and not cause.search("- Somewhy: x") and not cause.search("x Why: y")


def test_the_report_counts_answerable_questions_refused(analyzer):
    from bot.core.evaluation import LabelledQuestion

    search = _search(analyzer, "# KVM\n\nKVM は Linux カーネルのハイパーバイザ。\n")
    questions = [
        LabelledQuestion("KVMとは？", (("a.md", 3),)),
        LabelledQuestion("明日の天気は？", (("a.md", 3),)),  # answerable by its label, refused here
        LabelledQuestion("今日の予定は？", ()),
    ]
    report = evaluate(search, questions)
    assert (report.answerable, report.wrongly_refused, report.refused) == (2, 1, 1)
    assert "answerable refused: 1/2" in report.lines()


def test_a_when_question_finds_the_section_that_writes_a_date(analyzer):
    text = (
        "# ENI\n\n"
        "Lambda への Hyperplane ENI の導入で起動が変わった。\n\n"
        "Lambda への Hyperplane ENI の導入は 2019 年で、それより前は起動にとても時間がかかることがあった。\n"
    )
    search = _search(analyzer, text)
    # Without いつ, the shorter section is the better one; asked when, the dated one.
    assert search.search("LambdaへのHyperplane ENIの導入", 3)[0].section.line_start == 3
    assert search.search("LambdaへのHyperplane ENIの導入はいつ？", 3)[0].section.line_start == 5


def test_a_definition_question_finds_the_section_that_defines_the_term(analyzer):
    text = (
        "# ARP\n\n"
        "1. ARP 要求で IP アドレスの持ち主を ARP で探す\n"
        "2. ARP 応答で MAC アドレスを返す\n\n"
        "ARP は IP アドレスから MAC アドレスを調べるプロトコルで、結果はキャッシュされる。\n"
    )
    search = _search(analyzer, text)
    for question in ("ARPって何？", "ARPとは", "What is ARP?", "ARPは何？"):
        assert search.search(question, 3)[0].section.line_start == 6, question
    assert search.search("ARP 要求で持ち主を探す", 3)[0].section.line_start == 3


ALIASED_NOTE = """---
aliases: [DP, 動的プログラミング]
---
# 動的計画法

部分問題の答えを表に記録して使い回す。条件は最適部分構造と部分問題の重複。

- 表は小さい順に埋める。
"""


@pytest.mark.parametrize("question", ["DPって何？", "dpとは", "What is DP?"])
def test_a_definition_question_finds_the_lead_of_the_note_an_alias_names(analyzer, question):
    search = SectionSearch(tuple(parse_notes(ALIASED_NOTE, "dp.md")), analyzer)
    # Neither writes DP (the note's alias is searched with each); the shorter would win.
    assert search.search(question, 3)[0].section.line_start == 6


def test_only_the_lead_of_an_aliased_note_is_its_definition(analyzer, monkeypatch):
    search = SectionSearch(tuple(parse_notes(ALIASED_NOTE, "dp.md")), analyzer)
    assert [search._opens(doc, "DP") for doc in range(len(search.sections))] == [True, False]
    assert not search._opens(0, "動的計画法")  # the title is matched as any heading is
    # Under a deeper heading the section is not the note's lead.
    deeper = SectionSearch(tuple(parse_notes(ALIASED_NOTE.replace("# 動的計画法\n", "# 動的計画法\n## 表\n"), "dp.md")), analyzer)
    assert not deeper._opens(0, "DP")
    # Without the bonus the list item wins: the rule is what lifts the lead.
    monkeypatch.setattr(search_module, "ANSWER_TYPE_WEIGHT", 0.0)
    assert search.search("DPって何？", 3)[0].section.line_start == 8


@pytest.mark.parametrize(
    "question, term",
    [("ARPって何？", "ARP"), ("EPTとは", "EPT"), ("What is false sharing?", "false sharing"), ("RAID6は何？", "RAID6"),
     ("RAID6は何台まで", ""), ("KVMとQEMUの違いは？", "")],
)
def test_defined_term(question, term):
    from bot.core.search import defined_term

    assert defined_term(question) == term


REFUSED_NOTES = """# Deployment

- Deployment は Pod の数を保つ

# 仮想化

- 準仮想化: ゲストを改造してハイパーコールを呼ばせる。Xen が有名

# 非同期

- 仕組みを知るには、まず小さく動かしてみる

# 読書

- 歴史の本は別の棚
"""


@pytest.mark.parametrize(
    "question, line",
    [
        ("Deploymentの歴史は？", 3),  # a history, and no hit dates anything
        ("準仮想化でハイパーコールを呼ばせるXenのドキュメントは？", 7),  # an aspect never written
        ("io_uringの仕組みは？", 11),  # only a word that phrases the question is found
    ],
)
def test_a_refused_ranking_keeps_its_hits(analyzer, question, line):
    # The refusal rules zero the coverage, never the hits: tuning the threshold
    # (evaluation.tune_min_coverage) counts a refused question a right section answers.
    search = SectionSearch(tuple(parse_notes(REFUSED_NOTES, "notes.md")), analyzer)
    ranking = search.rank(question, 3)
    assert ranking.coverage == 0.0
    assert ranking.hits and ranking.hits[0].section.line_start <= line <= ranking.hits[0].section.line_end

TOKEN_TEXT = "- KVMはQEMUと組んで使う。KVM-QEMUの組み合わせで準仮想化も完全仮想化もできる"


def test_text_tokens_give_every_token_of_the_text_in_order(analyzer):
    tokens = analyzer.tokens(TOKEN_TEXT)
    stored = TextTokens.of(tokens)
    assert stored.tokens() == [(t.term, t.begin, t.end) for t in tokens]
    assert TextTokens(stored.places).tokens() == stored.tokens()  # as read back from the cache


def test_text_tokens_find_only_the_terms_asked_each_with_all_its_places(analyzer):
    tokens = analyzer.tokens(TOKEN_TEXT)
    found = TextTokens.of(tokens).find(term_keys(["kvm", "仮想", "xen"]))
    assert set(found) == {"kvm", "仮想"}  # xen is not in the text
    for term, numbers in found.items():
        expected = [n for i, t in enumerate(tokens) if t.term == term for n in (i, t.begin, t.end)]
        assert numbers == expected and len(numbers) >= 6  # both KVMs, both 仮想 (of 準仮想化, 完全仮想化)
    assert in_text_order(found, ["kvm"]) == [(t.term, t.begin, t.end) for t in tokens if t.term == "kvm"]


def test_a_term_that_only_starts_like_another_is_not_found(analyzer):
    found = TextTokens.of(analyzer.tokens("仮想化の話")).find(term_keys(["仮想", "仮想化"]))
    assert set(found) == {"仮想", "仮想化"}
    assert TextTokens.of(analyzer.tokens("仮想化の話")).find(term_keys(["仮"])) == {}


def test_without_stored_places_the_section_is_tokenized_for_the_same_answers(analyzer):
    """Terms given without where they stand (SectionSearch(terms=...)): the proximity
    bonus and the highlight come from tokenizing the section, alike."""
    sections = load_corpus(SHIPPED_CORPUS).sections
    stored = SectionSearch(sections, analyzer)
    terms, _ = tokenize_sections(sections, analyzer)
    tokenizing = SectionSearch(sections, analyzer, terms=terms)
    assert tokenizing.text_tokens is None
    for question in ["KVMとQEMUの違いは？", "VT-dとは？", "準仮想化のゲストOS", "コンテナの名前空間を分ける"]:
        assert stored.rank(question, 10) == tokenizing.rank(question, 10)


def test_a_question_reads_each_section_s_places_once(analyzer, monkeypatch):
    """The proximity bonus and the highlight of a hit share one reading of its places."""
    search = SectionSearch(load_corpus(SHIPPED_CORPUS).sections, analyzer)
    read = []
    real_find = TextTokens.find
    monkeypatch.setattr(TextTokens, "find", lambda self, keys: read.append(self) or real_find(self, keys))
    hits = search.rank("KVMとQEMUの違いは？", 5).hits
    assert hits and all(hit.spans for hit in hits[:2])
    assert len(read) == len(set(map(id, read)))


@pytest.mark.parametrize("question", ["準仮想化とは？", "KVMとQEMUの違いは？", "コンテナの名前空間", "VT-dとは？"])
def test_a_hit_s_matched_terms_are_the_index_s_whether_in_its_text_or_its_headings(analyzer, question):
    """The terms its text holds come from where they stand (read for the highlight), the
    others from the index: together exactly what the index says the section holds."""
    search = SectionSearch(load_corpus(SHIPPED_CORPUS).sections, analyzer)
    query = [t.term for t in search.question_tokens(question)]
    hits = search.rank(question, 10).hits
    assert hits
    for hit in hits:
        assert hit.matched == search.index.matched(query, search.sections.index(hit.section))
    if question == "準仮想化とは？":  # one found through its heading alone
        assert any("準" in hit.matched and "準" not in hit.section.text for hit in hits)
