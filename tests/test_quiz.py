"""Quiz generation on the shipped notes and on a second corpus (networking and Git)."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from bot.core import build as build_module
from bot.core.build import build
from bot.core.grading import Grader
from bot.core.morphology import Morphology, shared_morphology
from bot.core.notes import load_corpus, parse_notes
from bot.core.quiz import (
    BLANK,
    GENERIC_WORDS,
    Kind,
    QuizEngine,
    analysis_from_json,
    analysis_to_json,
    analyze_section,
    candidates,
    gives_away,
    plan_round,
    quiz_for_sections,
    term_kind,
)

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "corpus"
CORPUS2 = Path(__file__).resolve().parent / "data" / "corpus2"


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@pytest.fixture(scope="module", params=[SHIPPED, CORPUS2], ids=["shipped", "corpus2"])
def corpus(request):
    return load_corpus(request.param)


@pytest.fixture(scope="module")
def engine(corpus):
    return QuizEngine(corpus.sections)


@pytest.fixture(scope="module")
def shipped_engine():
    return QuizEngine(load_corpus(SHIPPED).sections)


def find(engine: QuizEngine, kind: Kind, answer: str):
    matches = [i for i in engine.items if i.kind is kind and i.answer == answer]
    assert matches, f"no {kind} item answering {answer!r}"
    return matches[0]


# --- Properties every corpus must have ------------------------------------------------


def test_at_least_25_distinct_items_of_every_kind(engine):
    assert len({i.id for i in engine.items}) == len(engine.items) >= 25
    assert len({(i.kind, i.question) for i in engine.items}) >= 25
    assert {i.kind for i in engine.items} == set(Kind)


def test_the_answer_never_appears_in_the_question(engine):
    for item in engine.items:
        assert fold(item.answer) not in fold(item.question), item


def test_the_answer_is_text_of_the_notes_at_the_line_cited(engine, corpus):
    lines = {}
    for path in sorted(corpus.root.rglob("*.md")):
        lines[path.relative_to(corpus.root).as_posix()] = path.read_text(encoding="utf-8").splitlines()
    for item in engine.items:
        section = item.section
        assert section.line_start <= item.line <= section.line_end
        assert item.answer in section.text
        # A label bullet's explanation is its first child, on the next line.
        cited = "\n".join(lines[section.file][item.line - 1 : item.line + 1])
        assert item.answer in cited, item


def test_items_come_only_from_sections_with_text(engine, corpus):
    headed = {s.headings[0] for s in corpus.sections if s.headings}
    all_headings = {
        line.lstrip("#").strip()
        for path in corpus.root.rglob("*.md")
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.match(r"^#+\s", line)
    }
    empty = all_headings - headed - {h for s in corpus.sections for h in s.headings}
    assert empty, "the corpus should have an empty heading to test this"
    for item in engine.items:
        assert item.section.text.strip()
        assert not set(item.section.headings) & empty


def test_an_empty_heading_gives_nothing():
    text = "# 空の見出し\n\n# 中身\n- VT-d: 外部デバイスとのアクセスをホストOSを介さずにできる\n"
    items = QuizEngine(parse_notes(text, "x.md")).items
    assert items
    assert all(i.section.headings == ("中身",) for i in items)
    assert QuizEngine(parse_notes("# 見出しだけ\n\n## これも\n", "y.md")).items == ()


def test_ids_are_short_hex(engine):
    for item in engine.items:
        assert re.fullmatch(r"[0-9a-f]{8,16}", item.id)


def test_to_dict_has_exactly_the_agreed_keys(engine):
    for item in engine.items:
        data = json.loads(json.dumps(item.to_dict(), ensure_ascii=False))
        assert set(data) == {"id", "kind", "question", "answer", "options", "source"}
        assert data["kind"] == item.kind.value
        assert data["options"] == list(item.options)
        assert data["source"]["file"] == item.section.file
        assert data["source"]["line"] == item.line
        assert data["source"]["headings"] == list(item.section.headings)


# --- Term and reverse items --------------------------------------------------------------


def test_colon_bullets_become_term_and_reverse_items(shipped_engine):
    term = find(shipped_engine, Kind.TERM, "VT-d")
    assert "外部デバイスとのアクセスをホストOSを介さずにできる" in term.question
    assert term.line == 17
    reverse = next(i for i in shipped_engine.items if i.kind is Kind.REVEAL and i.subject == "VT-d")
    assert "VT-d" in reverse.question
    assert reverse.answer == "外部デバイスとのアクセスをホストOSを介さずにできる"
    term = find(shipped_engine, Kind.TERM, "コントロールグループ")
    assert "CPU、メモリ、ネットワーク、デバイスファイルなどの使用量とアクセスを制限できる" in term.question


def test_the_term_is_blanked_where_its_explanation_repeats_it(shipped_engine):
    term = find(shipped_engine, Kind.TERM, "名前空間")
    assert "名前空間" not in term.question
    assert f"ユーザーなどの{BLANK}を分離できる" in term.question


def test_a_short_label_with_nested_bullets_is_a_term():
    text = "# 仮想化\n- proxmox\n  - 仮想化技術が統合されたOS\n  - QEMUも使ってる\n"
    items = QuizEngine(parse_notes(text, "x.md")).items
    term = next(i for i in items if i.kind is Kind.TERM)
    assert term.answer == "proxmox"
    assert term.question.endswith("仮想化技術が統合されたOS")


def test_asides_sentences_and_numbers_are_not_terms():
    text = (
        "# メモ\n"
        "- 例: 仮想化ソフトウェアにはQEMUやVMWareがある\n"
        "- 404: ページが見つからないときに返すステータスコード\n"
        "- 設定を変えたら: 再起動してから確認すること\n"
        "- 参考: https://example.com/virtualization\n"
    )
    items = QuizEngine(parse_notes(text, "x.md")).items
    assert not [i for i in items if i.kind in (Kind.TERM, Kind.REVEAL, Kind.CHOICE)]


def test_every_defined_term_is_asked_for(engine, corpus):
    """Every `- short term: explanation` bullet yields a term item for that term."""
    defined = set()
    for section in corpus.sections:
        for line in section.text.splitlines():
            m = re.match(r"^\s*- ([A-Za-z][\w./-]*(?: [A-Za-z]\w*)?|[\u30a0-\u30ff\u4e00-\u9fff]+): \S", line)
            if m:
                defined.add(m.group(1))
    assert len(defined) >= 8
    asked = {i.answer for i in engine.items if i.kind is Kind.TERM}
    assert defined <= asked


# --- Cloze --------------------------------------------------------------------------------


def test_cloze_blanks_the_rare_latin_term(shipped_engine):
    item = find(shipped_engine, Kind.CLOZE, "libcontainer")
    assert item.question.endswith(f"Dockerのコアは{BLANK}というgo製のライブラリ")


def test_cloze_answers_are_nouns_never_particles_numbers_or_generic_words(engine):
    morphology = shared_morphology()
    clozes = [i for i in engine.items if i.kind is Kind.CLOZE]
    assert len(clozes) >= 10
    for item in clozes:
        assert BLANK in item.question
        morphemes = [m for m in morphology.morphemes(item.answer) if m.surface.strip()]
        assert any(m.pos[0] == "名詞" and m.pos[1] not in ("数詞", "代名詞") for m in morphemes), item
        assert morphemes[0].pos[0] not in ("助詞", "助動詞", "補助記号"), item
        assert not item.answer.isdigit()
        assert item.answer not in GENERIC_WORDS
        assert len(item.answer) >= 2


def test_cloze_leaves_generic_words_alone():
    text = "# メモ\n- こういうことをするための方法はものすごく大事なため、時々やるもの\n"
    assert QuizEngine(parse_notes(text, "x.md")).items == ()


def test_cloze_never_blanks_one_item_of_a_list():
    text = "# 仮想化\n- QEMU, VMWareなどの仮想化ソフトウェアがある\n- 準仮想化ではハイパーコールでハイパーバイザを呼ぶ\n"
    clozes = [i for i in QuizEngine(parse_notes(text, "x.md")).items if i.kind is Kind.CLOZE]
    listed = next(i for i in clozes if i.line == 2)
    assert listed.answer == "仮想化ソフトウェア"


def test_cloze_skips_a_word_found_inside_longer_words():
    """"OS" also sits inside ゲストOS and ホストOS: blanking it would leave ゲスト＿＿＿."""
    text = "# 仮想化\n- 普通のOS(ホストOS)の上にゲストOSをインストールする方式\n"
    for item in QuizEngine(parse_notes(text, "x.md")).items:
        assert item.answer != "OS"
        assert f"ゲスト{BLANK}" not in item.question


@pytest.mark.parametrize(
    "text, expected",
    [
        ("VT-x: ゲストOSが特権命令を実行する", {"VT-x", "ゲストOS", "特権命令", "実行"}),
        ("Amazon EC2もKVMをベースとしている", {"Amazon EC2", "KVM", "ベース"}),
        ("そのため、Rancher DesktopをMacOSで使う", {"Rancher Desktop", "MacOS"}),
        ("3ウェイハンドシェイクでSYNを送る", {"3ウェイハンドシェイク", "SYN"}),
        ("CPUの仮想化支援機能を使える", {"CPU", "仮想化支援機能"}),
        ("git commit --amendで直す", {"git commit", "--amend"}),
        ("主な方式は2種類", set()),  # 方式 alone is filler, 2種類 a count
    ],
)
def test_candidate_terms_are_whole_noun_phrases(text, expected):
    assert {c.surface for c in candidates(text, shared_morphology())} == expected


# --- Multiple choice ------------------------------------------------------------------


def test_choice_items_have_four_distinct_options_with_the_answer_once(engine):
    grader = Grader()
    choices = [i for i in engine.items if i.kind is Kind.CHOICE]
    assert len(choices) >= 5
    positions = set()
    for item in choices:
        assert len(item.options) == 4
        assert len({grader.normalize(o) for o in item.options}) == 4
        assert item.options.count(item.answer) == 1
        positions.add(item.options.index(item.answer))
    assert len(positions) > 1, "options are shuffled, the answer is not always in one place"
    for item in engine.items:
        if item.kind is not Kind.CHOICE:
            assert item.options == ()


def test_distractors_are_terms_of_the_notes_of_the_same_kind_siblings_first(engine):
    defined = {i.subject for i in engine.items if i.kind is Kind.TERM}
    term_lines = {i.subject: i for i in engine.items if i.kind is Kind.TERM}
    for item in (i for i in engine.items if i.kind is Kind.CHOICE):
        assert set(item.options) <= defined
        kind = term_kind(item.answer)
        latin = kind == "latin"
        assert all((term_kind(o) == "latin") == latin for o in item.options), item
        siblings = [
            t
            for t in defined
            if term_lines[t].section == item.section
            and t != item.answer
            and term_kind(t) == kind
            and fold(t) not in fold(item.question)
        ]
        in_section = [
            o for o in item.options if o != item.answer and term_lines[o].section == item.section and term_kind(o) == kind
        ]
        assert len(in_section) == min(len(siblings), 3), item


def test_vt_siblings_are_each_others_distractors(shipped_engine):
    item = find(shipped_engine, Kind.CHOICE, "VT-d")
    assert set(item.options) >= {"VT-x", "VT-d", "VT-c"}
    assert "拡張ページテーブル" not in item.options  # the one Japanese option would stand out


# --- Stability -------------------------------------------------------------------------


def test_same_notes_give_same_items_in_a_new_engine(engine, corpus):
    again = QuizEngine(corpus.sections, Morphology())
    assert [(i.id, i.question, i.answer, i.options) for i in again.items] == [
        (i.id, i.question, i.answer, i.options) for i in engine.items
    ]


def test_same_notes_give_same_items_in_another_process(engine, corpus):
    """String hashing differs per process; ids and option order must not."""
    script = (
        "import json, sys; from pathlib import Path\n"
        "from bot.core.notes import load_corpus; from bot.core.quiz import QuizEngine\n"
        "items = QuizEngine(load_corpus(Path(sys.argv[1])).sections).items\n"
        "print(json.dumps([[i.id, list(i.options)] for i in items]))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", script, str(corpus.root)], capture_output=True, text=True, env=env, check=True)
    assert json.loads(out.stdout) == [[i.id, list(i.options)] for i in engine.items]


def test_editing_a_line_renews_only_its_items(tmp_path):
    for path in CORPUS2.glob("*.md"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    before = QuizEngine(load_corpus(tmp_path).sections)
    network = tmp_path / "network.md"
    text = network.read_text(encoding="utf-8")
    edited_line = next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith("- ルーター:"))
    network.write_text(text.replace("パケットの転送先を決める機器", "パケットの行き先を決める機器"), encoding="utf-8")
    # Lines above move down too: ids do not depend on line numbers.
    network.write_text("\n\n" + network.read_text(encoding="utf-8"), encoding="utf-8")
    after = QuizEngine(load_corpus(tmp_path).sections)

    after_ids = {i.id for i in after.items}
    from_edited = [i for i in before.items if i.section.file == "network.md" and i.line == edited_line]
    assert len(from_edited) >= 3
    assert not any(i.id in after_ids for i in from_edited)
    unchanged = [i for i in before.items if i not in from_edited]
    assert all(i.id in after_ids for i in unchanged)
    assert any(i.answer == "行き先" for i in after.items)


def test_analyses_come_back_whole_from_json_and_anything_else_is_refused(corpus):
    morphology = shared_morphology()
    analyses = [analyze_section(s, morphology) for s in corpus.sections]
    assert [analysis_from_json(json.loads(json.dumps(analysis_to_json(a)))) for a in analyses] == analyses
    sample = analysis_to_json(next(a for a in analyses if a.definitions and any(s.blanks for s in a.sentences)))
    blanked = next(i for i, row in enumerate(sample[1]) if row[4])  # a sentence with a blank

    def changed(change):
        data = json.loads(json.dumps(sample))
        change(data)
        return data

    bad_rows = {
        "a term as a number": changed(lambda d: d[0][0].__setitem__(0, 1)),
        "an offset as a bool": changed(lambda d: d[1][blanked][1][0].__setitem__(2, True)),
        "a blank of another candidate": changed(lambda d: d[1][blanked][4][0].__setitem__(0, len(d[1][blanked][1]))),
        "a blank of a negative candidate": changed(lambda d: d[1][blanked][4][0].__setitem__(0, -1)),
        "a blank cut short": changed(lambda d: d[1][blanked][4][0].pop()),
        "a blank's stretch as text": changed(lambda d: d[1][blanked][4][0].__setitem__(1, "0")),
        "a sentence without blanks": changed(lambda d: d[1][blanked].pop()),
    }
    for bad in (None, {}, [], [[], [], []], [[["用語"]], []], *bad_rows.values()):
        with pytest.raises(ValueError):
            analysis_from_json(bad)


def test_a_restart_analyses_only_the_files_that_changed(tmp_path, monkeypatch, analyzer):
    notes, cache_dir = tmp_path / "notes", tmp_path / "cache"
    shutil.copytree(CORPUS2, notes)
    analysed = []
    real = build_module.analyze_section
    monkeypatch.setattr(
        build_module, "analyze_section", lambda section, m, *rest, **options: analysed.append(section.text) or real(section, m, *rest, **options)
    )

    def restart():
        analysed.clear()
        return build(notes, analyzer, shared_morphology(), cache_dir)

    first = restart()
    assert len(analysed) == len(first.corpus.sections)
    again = restart()
    assert analysed == []
    assert again.quiz.items == first.quiz.items == QuizEngine(again.corpus.sections).items

    network = notes / "network.md"
    network.write_text(network.read_text(encoding="utf-8").replace("転送先", "行き先"), encoding="utf-8")
    edited = restart()
    assert sorted(analysed) == sorted(s.text for s in edited.corpus.sections if s.file == "network.md")
    uncached = QuizEngine(edited.corpus.sections)
    assert edited.quiz.items == uncached.items
    assert all(edited.quiz.items_in(s) == uncached.items_in(s) for s in edited.corpus.sections)


def test_items_made_one_section_at_a_time_equal_those_made_all_at_once():
    """An answer makes its hits' items alone; a line copied into a later section still
    gives its items from its first place only, however the sections are asked for."""
    text = (CORPUS2 / "network.md").read_text(encoding="utf-8")
    copied = next(line for line in text.splitlines() if line.startswith("- ルーター:"))
    sections = (*load_corpus(CORPUS2).sections, *parse_notes(f"# 写し\n{copied}\n", "copy.md"))
    whole = QuizEngine(sections)
    one_by_one = QuizEngine(sections)
    by_section = {s: one_by_one.items_in(s) for s in reversed(sections)}
    assert by_section[sections[-1]] == ()
    assert tuple(i for s in sections for i in by_section[s]) == whole.items == one_by_one.items


# --- Topics, quiz prompts, rounds --------------------------------------------------------


def test_topics_are_top_level_headings_with_items(engine, corpus):
    topics = engine.topics()
    assert topics
    assert set(topics) <= {s.headings[0] for s in corpus.sections if s.headings}
    for topic in topics:
        items = engine.items_for_topic(topic)
        assert items and all(i.section.headings[0] == topic for i in items)
    assert engine.items_for_topic("存在しないトピック") == ()


def test_topic_match_ignores_width_and_case():
    engine = QuizEngine(load_corpus(CORPUS2).sections)
    assert engine.items_for_topic("ｄｎｓ") == engine.items_for_topic("DNS") != ()


def test_quiz_for_sections_draws_one_per_section_in_turn(engine):
    sections = [s for s in engine.sections if len(engine.items_in(s)) >= 2][:2]
    picked = quiz_for_sections(engine, sections, limit=2)
    assert len(picked) == 2
    assert picked[0].section == sections[0]
    if any(not gives_away(picked[0], i) for i in engine.items_in(sections[1])):
        assert picked[1].section == sections[1]
    mapping = {s: engine.items_in(s) for s in engine.sections}
    assert quiz_for_sections(mapping, sections, limit=2) == picked
    assert len(quiz_for_sections(engine, sections[:1], limit=2)) <= 2
    assert quiz_for_sections(engine, [], limit=2) == ()
    for item in quiz_for_sections(engine, sections[:1], limit=2):
        assert item.section == sections[0]


def test_quiz_for_sections_makes_only_the_items_of_sections_whose_turn_came(corpus):
    """An answer shows two items: the hits after those it drew them from are never made."""
    with_items = [s for s in corpus.sections if QuizEngine(corpus.sections).items_in(s)]
    engine = QuizEngine(corpus.sections)
    hits = with_items[:10]
    picked = quiz_for_sections(engine, hits, limit=2)
    assert len(picked) == 2
    last = max(hits.index(i.section) for i in picked)  # the first items of the hits up to it were looked at
    assert len(engine._made) == last + 1 < len(hits)


def eager_quiz_for_sections(items_of, sections, limit, about):
    """The former quiz_for_sections, which made every hit's items first."""
    words = {fold(w) for w in about}
    kinds = {Kind.CHOICE: 0, Kind.CLOZE: 1, Kind.TERM: 2, Kind.REVEAL: 3}

    def order(item):
        subject = fold(item.subject)
        return (0 if subject in words else 1 if any(w in subject for w in words) else 2), kinds[item.kind]

    queues = [sorted(items_of(s), key=order) for s in sections]
    picked = []
    for item in [i for row in itertools.zip_longest(*queues) for i in row if i is not None]:
        if len(picked) == limit:
            break
        if not any(gives_away(item, other) for other in picked):
            picked.append(item)
    return tuple(picked)


def test_quiz_for_sections_draws_what_making_every_hits_items_first_drew(engine):
    sections = engine.sections
    for start in range(0, len(sections), 3):
        hits = [sections[(start + 7 * i) % len(sections)] for i in range(10)]
        about = [w for s in hits[:2] for w in s.headings]
        for limit in (0, 1, 2, 5, 40):
            expected = eager_quiz_for_sections(engine.items_in, hits, limit, about)
            assert quiz_for_sections(QuizEngine(sections, analyses=engine._analyses), hits, limit, about) == expected


def test_quiz_for_sections_never_pairs_items_that_give_each_other_away(engine):
    for section in engine.sections:
        picked = quiz_for_sections(engine, [section], limit=2)
        assert len(picked) <= 2
        if len(picked) == 2:
            assert not gives_away(*picked)


def test_plan_round_skips_give_aways_unless_nothing_else_is_left(shipped_engine):
    vt_d = [i for i in shipped_engine.items if i.subject == "VT-d"]
    assert len(vt_d) == 3  # term, reveal, choice on one line
    other = find(shipped_engine, Kind.CLOZE, "libcontainer")
    assert plan_round([*vt_d, other], 2) == (vt_d[0], other)
    assert plan_round(vt_d, 2) == (vt_d[0], vt_d[1])


def test_code_blocks_tables_and_urls_give_no_blanks():
    text = (
        "# Git\n"
        "- 履歴を一直線にしたいときのコマンド\n"
        "  ```bash\n"
        "  git rebase --interactive HEAD~3 でコミットをまとめる\n"
        "  ```\n"
        "  | コマンド | 説明 |\n"
        "  | reflog | 消したコミットも見つかる |\n"
        "  - 詳しくは https://git-scm.com/docs/git-rebase にリファレンスがある\n"
    )
    items = QuizEngine(parse_notes(text, "x.md")).items
    assert items
    for item in items:
        assert item.line not in (3, 4, 5, 6, 7)
        assert "git-scm" not in item.answer and "https" not in item.answer
