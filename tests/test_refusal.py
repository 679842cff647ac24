"""The "nothing in the notes" rule on the question side: English phrasing, loanwords
run together, compared names the notes never use."""

import pytest

from bot.core.analyzer import Analyzer
from bot.core.refusal import coverage, is_english_phrased, read_question
from bot.core.service import AnswerService

def _service_over(tmp_path_factory, analyzer: Analyzer, name: str, notes: str) -> AnswerService:
    """An answer service over a folder holding notes as its one notes.md."""
    folder = tmp_path_factory.mktemp(name)
    (folder / "notes.md").write_text(notes, encoding="utf-8")
    return AnswerService(folder, analyzer)


def _assert_first_hit_holds(service: AnswerService, question: str, line: int) -> None:
    hits = service.ask(question).hits
    assert hits, question
    assert hits[0].section.line_start <= line <= hits[0].section.line_end


LOANWORD_NOTES = """# 機械学習

- ハイパーパラメータ: 学習の前に人が決める値。学習率やバッチサイズ
- 過学習: 訓練データに合わせすぎて、新しいデータで外れる

# CPU

- パイプライン: 命令を段に分けて重ねて実行する
- 分岐予測: 分岐の行き先を先読みする
- マルチコア: 一つのチップに複数のコアを載せる
"""


@pytest.fixture(scope="module")
def loanword_service(tmp_path_factory, analyzer: Analyzer) -> AnswerService:
    return _service_over(tmp_path_factory, analyzer, "loanwords", LOANWORD_NOTES)


@pytest.mark.parametrize(
    "question, line",
    [("What is KVM?", 22), ("What is an ASIC?", 29), ("what is Proxmox?", 21), ("What is Samba?", 56)],
)
def test_english_questions_are_answered_like_their_subject_alone(service, question, line):
    _assert_first_hit_holds(service, question, line)


@pytest.mark.parametrize("question", ["What is Kubernetes?", "What is Hyper-V?", "How does Xen work?"])
def test_english_questions_about_what_the_notes_lack_are_refused(service, question):
    assert service.ask(question).hits == ()


def test_english_question_words_are_not_terms(service):
    tokens = service.search.question_tokens("What is the difference between KVM and QEMU?")
    assert [t.term for t in tokens if not t.part] == ["kvm", "qemu"]
    # Nor do they make acronyms: "What Is KVM" was read as wik.
    assert [t.term for t in service.search.question_tokens("What Is KVM")] == ["kvm"]


def test_english_words_stay_terms_in_a_japanese_question(service):
    # `git show` names a command: show is what is asked about, not phrasing.
    assert [t.term for t in service.search.question_tokens("git showの使い方")] == ["git", "ショー", "使い方"]
    # IS-IS and AS in capitals are names, not "is" and "as".
    terms = [t.term for t in service.search.question_tokens("What is IS-IS?")]
    assert terms.count("is") == 2


@pytest.mark.parametrize(
    "text, english",
    [("What is KVM?", True), ("how does it work", True), ("KVMとは", False), ("git showの使い方", False), ("KVM vs QEMU", False)],
)
def test_is_english_phrased(text, english):
    assert is_english_phrased(text) is english


def test_vs_is_phrasing_in_any_question(service):
    assert [t.term for t in service.search.question_tokens("コンテナ vs 仮想化")] == ["コンテナ", "仮想化", "仮想"]


def test_part_of_another_loanword_does_not_answer(loanword_service):
    # Sudachi reads ハイパースレッディング as ハイパー + スレッディング: the notes' ハイパー
    # (of ハイパーパラメータ) alone is not it.
    assert loanword_service.ask("ハイパースレッディングとは？").hits == ()
    assert loanword_service.ask("マルチホーミングの仕組みは？").hits == ()
    # The whole loanword still answers, and so does each of the notes' own.
    assert loanword_service.ask("ハイパーパラメータとは？").hits[0].section.line_start == 3
    assert loanword_service.ask("マルチコアとは？").hits[0].section.line_start == 10


def test_comparing_a_name_the_notes_never_use_is_refused(service):
    # The notes hold VT-x but not AMD-V: they cannot say how the two differ.
    assert service.ask("AMD-VとVT-xの違いは？").hits == ()
    assert service.ask("IS-IS vs VT-x").hits == ()
    # Both names in the notes: answered, with both in the top hits.
    hits = service.ask("KVMとQEMUの違いは？").hits
    assert {"kvm", "qemu"} <= {term for hit in hits for term in hit.matched}


def test_a_name_unknown_outside_a_comparison_only_weighs(service):
    # AWS is not in the notes (they say Amazon EC2); the question is still answered.
    hits = service.ask("AWSのEC2がネイティブ並みに速いのはなぜ").hits
    assert hits and "ec" in hits[0].matched


def test_coverage_of_plain_tokens_is_the_share_of_idf(analyzer):
    idfs = {"kvm": 2.0, "qemu": 1.0}
    tokens = analyzer.tokens("KVMとQEMUとXen")  # plain Tokens: each term its own concept
    assert coverage(tokens, {"kvm"}, idfs.get, 3.0) == pytest.approx(2.0 / 6.0)


def test_every_question_token_has_its_concept(analyzer):
    tokens = read_question(analyzer, "仮想化とコントロールグループとVT-xの違いは？")
    concepts = {t.term: t.concept for t in tokens}
    assert concepts["仮想"] is concepts["仮想化"]  # a compound's part belongs to it
    # Katakana words run together are one loanword.
    assert concepts["コントロール"] is concepts["グループ"]
    assert concepts["グループ"].pieces == ("コントロール", "グループ")
    # The head of each side of a comparison, a joined name whole.
    assert concepts["vt"].compared and concepts["x"].compared
    assert not concepts["仮想化"].compared


PARTS_NOTES = """# Python

- asyncio: イベントループで I/O 待ちを重ねる標準ライブラリ。asyncio.gather でコルーチンをまとめて待つ
- GIL があるので CPU 計算はスレッドで速くならない

# PostgreSQL

- pg_stat_statements: 実行されたクエリの統計を集める拡張。shared_preload_libraries に書いて設定する
- パーティションテーブルの主キーにはパーティションキーを含める

# systemd

- サービスのファイル数の上限は unit ファイルの LimitNOFILE で決める。limits.conf はログインセッションにしか効かない
"""


@pytest.fixture(scope="module")
def parts_service(tmp_path_factory, analyzer: Analyzer) -> AnswerService:
    return _service_over(tmp_path_factory, analyzer, "parts", PARTS_NOTES)


@pytest.mark.parametrize(
    "question", ["PythonのasyncioのTaskGroupとは？", "PostgreSQLのpg_partmanの設定方法は？", "asyncioのuvloopって速い？"]
)
def test_a_part_of_a_known_thing_the_notes_never_name_is_refused(parts_service, question):
    # The notes know Python, asyncio and PostgreSQL, not these parts of them: what
    # else the question says (設定方法, asyncio) must not answer it.
    assert parts_service.ask(question).hits == ()


@pytest.mark.parametrize(
    "question, line",
    [
        ("Pythonのasyncioのgatherとは？", 3),
        ("PostgreSQLのpg_stat_statementsの設定方法は？", 8),
        # nofile is written inside LimitNOFILE: the notes name it.
        ("systemdのサービスでlimits.confのnofileが効かないのはなぜ？", 13),
    ],
)
def test_a_named_part_the_notes_write_is_answered(parts_service, question, line):
    _assert_first_hit_holds(parts_service, question, line)


def test_an_unknown_name_alone_only_weighs(service):
    # cgroup is not in the shipped notes (they say コントロールグループ): the learner's
    # own word for something, not a part of something else, so the rest answers.
    assert service.ask("cgroupで制限できるリソースは？").hits


def test_the_topic_head_is_the_last_name_before_a_particle(analyzer):
    concepts = {t.term: t.concept for t in read_question(analyzer, "OAuth 2.0のPKCEとは？")}
    assert concepts["pkce"].topic == "pkce"
    assert concepts["oauth"].topic == ""  # it qualifies the head
    # A generic noun is never the head; a joined name is one (pg_partman).
    concepts = {t.term: t.concept for t in read_question(analyzer, "PostgreSQLのpg_partmanの設定方法は？")}
    assert concepts["pg"].topic == concepts["partman"].topic == "pg_partman"
    # Letters run into digits are one name; a topic without の before its head has none.
    concepts = {t.term: t.concept for t in read_question(analyzer, "AWSのRAID50が遅い")}
    assert concepts["raid"].topic == concepts["50"].topic == "raid50"
    assert all(t.concept is None or t.concept.topic == "" for t in read_question(analyzer, "NUMAで遅くなる理由は？"))


def test_written_finds_a_name_inside_longer_words_in_any_case(parts_service):
    search = parts_service.search
    assert search.written("nofile") and search.written("pg_stat") and search.written("asyncio.gather")
    assert not search.written("pg_partman") and not search.written("taskgroup")


def test_which_of_two_compares_them(service):
    # 「AとB、どっちが」 compares A and B: the notes never mention Podman.
    assert service.ask("DockerとPodman、どっちが軽い？").hits == ()
    assert service.ask("エミュレーション方式とネイティブ方式、どっちが速い？").hits
    concepts = {t.term: t.concept for t in read_question(service.search.analyzer, "KVMとQEMUのどちらが速い？")}
    assert concepts["kvm"].compared and concepts["qemu"].compared


def test_a_hit_that_matches_only_how_a_question_is_asked_is_no_answer(analyzer):
    from bot.core.refusal import says_what

    # 仕組み (generic), ため and とき (formal nouns), どう and 分かる (asking words) say how
    # it is asked, not what about.
    for question, matched in [
        ("io_uringの仕組みは？", {"仕組み"}),
        ("サーキットブレーカーって何のための仕組み？", {"為", "仕組み", "何"}),
        ("シャーディングはどういうときに検討する？", {"時"}),
        ("CloudFrontのキャッシュを消すにはどうする？", {"どう"}),
        ("Transformerがよく分からない", {"分かる"}),
    ]:
        assert not says_what(read_question(analyzer, question), matched), question
    assert says_what(read_question(analyzer, "CloudFrontのキャッシュを消すには？"), {"キャッシュ", "消す"})
    # A verb can be what is asked about: 負荷を振り分ける is load balancing.
    assert says_what(read_question(analyzer, "負荷はどう振り分ける？"), {"振り分ける", "どう"})
    assert says_what(read_question(analyzer, "KVMの仕組みは？"), {"kvm", "仕組み"})


def test_only_phrasing_words_found_refuses_but_one_hit_naming_the_subject_answers(service):
    # The shipped notes say 仕組み and 動かす, not io_uring or CloudFront.
    assert service.ask("io_uringの仕組みは？").hits == ()
    assert service.ask("CloudFrontの仕組みはどうなっている？").hits == ()
    # The best section says 動かす and とき only, but another names docker: answered.
    assert service.ask("macでdockerを動かすとき裏で何が起きてる？").hits


NUMBERED_NOTES = """# RAID

- RAID5: パリティを分散して持つ。構成の最低台数は 3 台。7 台や 50 台の構成もある
- RAID 10: RAID1 のミラーを RAID0 でストライピングする。構成の最低台数は 4 台
- mdadm: Linux のソフトウェア RAID を組むコマンド
- RAID-60: RAID6 の組を RAID0 で束ねる

# TLS

- TLS 1.3 ではハンドシェイクが 1 往復になった
- v1.2 までは 2 往復
- Python3.12 の ssl モジュールは TLS 1.3 を使う

# Windows Subsystem for Linux 2

- Linux カーネルが軽量な仮想マシンで動く
"""


@pytest.fixture(scope="module")
def numbered_service(tmp_path_factory, analyzer: Analyzer) -> AnswerService:
    return _service_over(tmp_path_factory, analyzer, "numbered", NUMBERED_NOTES)


@pytest.mark.parametrize(
    "question",
    [
        "RAID50の構成と最低台数は？",
        "RAID7は何台から組める？",
        "ＲＡＩＤ５５の最低台数",
        "RAID50の",
        "TLS 1.4 のハンドシェイクは何往復？",
        "RAID 50 は最低何台？",  # spaced as the learner types it
    ],
)
def test_a_numbered_name_the_notes_never_write_is_refused(numbered_service, question):
    # The notes know RAID, 構成, 最低台数, 7 and 50, and RAID5, RAID 10: not RAID50,
    # RAID7 nor RAID55.
    assert numbered_service.ask(question).hits == ()


@pytest.mark.parametrize(
    "question, line",
    [
        ("RAID5の最低台数は？", 3),
        ("RAID10の最低台数は？", 4),  # written "RAID 10"
        ("RAID-10の最低台数は？", 4),
        ("RAID 10 の最低台数は？", 4),
        ("RAID60の組とは？", 6),  # written "RAID-60"
        ("TLS1.3のハンドシェイクは何往復？", 10),
        ("TLS v1.2 のハンドシェイクは何往復？", 11),  # v1.2 written in a section about TLS
        ("Python 3.12 の ssl モジュール", 12),  # written without the space
        ("WSL2でLinuxカーネルはどう動く？", 16),  # spelled out in words
        # Linux6 only qualifies what is asked about, the command the notes explain.
        ("Linux6のmdadmとは？", 5),
    ],
)
def test_a_numbered_name_the_notes_write_somehow_is_answered(numbered_service, question, line):
    _assert_first_hit_holds(numbered_service, question, line)


def test_identifiers_are_letters_run_into_digits(analyzer):
    from bot.core.refusal import identifiers

    assert identifiers("RAID50とIPv6とＨＴＴＰ３") == [(0, 6, "raid50"), (7, 11, "ip v6"), (12, 17, "http3")]
    # A name and its version, spaced or not.
    assert identifiers("TLS 1.4 と Python3.14 と cgroups v3") == [(0, 7, "tls 1.4"), (10, 20, "python 3.14"), (23, 33, "cgroups v3")]
    # Not a piece of a longer joined word, nor letters or digits alone.
    assert identifiers("x86-64 と VT-x と pg_stat2 と NUMA と 2024年") == []
    # A name in capitals, a space and a number before a particle is one model; a count
    # of something is not ("CPU 4 個", "CPU 4コア").
    assert identifiers("RAID 60 は？") == identifiers("RAID 60の") == [(0, 7, "raid60")]
    assert identifiers("HTTP 2") == [(0, 6, "http2")]
    assert identifiers("CPU 4 個") == identifiers("CPU 4コア") == identifiers("Raid 6 は") == []


@pytest.mark.parametrize("question", ["RDB と AOF のどっちがいい？", "ROW_NUMBER と NTILE の違いは？", "RDB　と　AOF の違い"])
def test_a_comparison_typed_with_spaces_is_still_a_comparison(analyzer, question):
    from bot.core.refusal import comparison_spans

    spans = comparison_spans(analyzer.morphemes(question), question)
    assert len(spans) == 2 and [question[b:e] for b, e in spans][1] in ("AOF", "NTILE")


COMPARISONS = [
    ("KVM vs QEMU", ["KVM", "QEMU"]),
    ("KVM vs. QEMU", ["KVM", "QEMU"]),
    ("KVM versus QEMU", ["KVM", "QEMU"]),
    ("KVM VERSUS QEMU", ["KVM", "QEMU"]),
    ("KVM 対 QEMU", ["KVM", "QEMU"]),
    ("KVMとQEMU、どっちが速い？", ["KVM", "QEMU"]),
    ("KVMとQEMU，どちらが速い？", ["KVM", "QEMU"]),
    ("KVMとQEMUのどちらが速い？", ["KVM", "QEMU"]),
    ("KVMとQEMUではどっちが速い？", ["KVM", "QEMU"]),
    ("KVMとQEMUの違い", ["KVM", "QEMU"]),
    ("KVMとQEMUの差は？", ["KVM", "QEMU"]),
    ("KVMとQEMUはどう違う？", ["KVM", "QEMU"]),
    ("KVMとQEMUは何が違う？", ["KVM", "QEMU"]),
    ("KVMとQEMUはなにが違う？", ["KVM", "QEMU"]),
    ("KVMやQEMUの違い", ["KVM", "QEMU"]),
    ("KVM、QEMUの違い", ["KVM", "QEMU"]),
    ("difference between KVM and QEMU", ["KVM", "QEMU"]),
    ("仮想化 と コンテナ の違い", ["仮想化", "コンテナ"]),
    # Two comparisons in one question keep all four sides.
    ("KVMとQEMUの違いとVT-xとVT-dの違い", ["KVM", "QEMU", "VT-x", "VT-d"]),
    ("KVM vs QEMU、VT-x vs VT-d", ["KVM", "QEMU", "VT-x", "VT-d"]),
    ("KVMとQEMUの違い、difference between VT-x and VT-d", ["KVM", "QEMU", "VT-x", "VT-d"]),
    # Not comparisons.
    ("KVMの違い", []),
    ("どっちが速い？", []),
]


@pytest.mark.parametrize("question, sides", COMPARISONS)
def test_comparison_spans_find_each_side(analyzer, question, sides):
    from bot.core.refusal import comparison_spans

    assert [question[b:e] for b, e in comparison_spans(analyzer.morphemes(question), question)] == sides


def test_identifiers_keep_offsets_when_folding_would_move_them():
    from bot.core.refusal import identifiers

    # ㌔ folds to two letters (キロ): the offsets stay those of the question as typed.
    assert identifiers("㌔RAID50") == [(1, 7, "raid50")]


VERSION_NOTES = """# TLS

- TLS 1.3 ではハンドシェイクが 1 往復で済む

# zlib

- zlib 1.4 で圧縮が速くなった
"""


def test_a_version_written_only_beside_another_name_does_not_cover_it(tmp_path, analyzer):
    (tmp_path / "notes.md").write_text(VERSION_NOTES, encoding="utf-8")
    service = AnswerService(tmp_path, analyzer)
    assert service.ask("TLS 1.3 の往復は？").hits
    # 1.4 is written, and TLS is, but never together: TLS 1.4 is not in the notes.
    assert service.ask("TLS 1.4 の往復は？").hits == ()


ASPECT_NOTES = """# 仮想化

- 準仮想化: ゲストを改造してハイパーコールを呼ばせる。Xen が有名
- Xen の後継として KVM が広く使われるようになった
- ソフトウェアのライセンスは GPL が多い
"""


@pytest.fixture(scope="module")
def aspect_service(tmp_path_factory, analyzer: Analyzer) -> AnswerService:
    return _service_over(tmp_path_factory, analyzer, "aspects", ASPECT_NOTES)


def test_a_loanword_aspect_of_a_known_name_the_notes_never_use_is_refused(aspect_service):
    # The notes know Xen, not its ドキュメント (a word they never write).
    assert aspect_service.ask("準仮想化でハイパーコールを呼ばせるXenのドキュメントは？").hits == ()


@pytest.mark.parametrize(
    "question",
    [
        "Xenのライセンスは？",  # ライセンス is written (of software in general): it weighs
        "Xenの後継は？",  # the notes say it
    ],
)
def test_an_aspect_the_notes_write_only_weighs(aspect_service, question):
    assert aspect_service.ask(question).hits


def test_unknown_aspect_reads_x_no_y(analyzer):
    from bot.core.refusal import unknown_aspect

    idf = {"xen": 1.0, "pg": 1.0}.get
    never = lambda *names: False  # noqa: E731 - no section writes anything
    assert unknown_aspect(read_question(analyzer, "Xenのドキュメントの場所は？"), "Xenのドキュメントの場所は？", idf, never) == "ドキュメント"
    # Kanji may be the learner's word for what the notes say otherwise (派生 for 後継).
    assert unknown_aspect(read_question(analyzer, "Xenの派生は？"), "Xenの派生は？", idf, never) == ""
    # Generic words of the aspect do not count; a name the notes don't know is another rule's.
    assert unknown_aspect(read_question(analyzer, "Xenの仕組みは？"), "Xenの仕組みは？", idf, never) == ""
    assert unknown_aspect(read_question(analyzer, "Hyperのドキュメント"), "Hyperのドキュメント", idf, never) == ""
    # Written in the notes: not unknown.
    assert unknown_aspect(read_question(analyzer, "Xenのドキュメント"), "Xenのドキュメント", idf, lambda *n: True) == ""


SUBJECT_NOTES = """# スケジューラ

- CFS は仮想実行時間が一番小さいタスクを選ぶ
- ラウンドロビンは順番にタスクを動かす

# コンテナ

- コントロールグループ: CPU とメモリの使用量を制限する
"""


@pytest.fixture(scope="module")
def subject_service(tmp_path_factory, analyzer: Analyzer) -> AnswerService:
    return _service_over(tmp_path_factory, analyzer, "subjects", SUBJECT_NOTES)


def test_a_question_about_a_name_the_notes_never_write_needs_all_the_rest(subject_service):
    # EEVDF is never written: a section holding only part of the rest is no answer.
    assert subject_service.ask("EEVDFは次のタスクをどう選ぶ？").hits == ()
    # cgroup is never written either, but a section holds all the rest: the learner's
    # own word for コントロールグループ.
    hits = subject_service.ask("cgroupはCPUとメモリの使用量を制限する？").hits
    assert hits and hits[0].section.line_start == 8
    # The same question about CFS, which the notes write, is answered.
    assert subject_service.ask("CFSは次のタスクをどう選ぶ？").hits


@pytest.mark.parametrize(
    "question",
    [
        "EEVDFはCPUとメモリの使用量を制限する？",  # a proper name: all the rest is not enough
        "IS-ISってCPUとメモリの使用量を制限する？",  # IS-IS is a name, not the English "is"
        "ZNS CFSは仮想実行時間が一番小さいタスクを選ぶ？",  # a proper name qualifying the head
    ],
)
def test_a_proper_name_the_notes_never_write_is_refused(subject_service, question):
    assert subject_service.ask(question).hits == ()


@pytest.mark.parametrize(
    "question, line",
    [
        # One capital: it may be the learner's own word; all the rest is in one section.
        ("Cgroupは CPU とメモリの使用量を制限する？", 8),
        # A proper name before an の is what the head belongs to, not the head.
        ("LinuxのCFSは仮想実行時間が一番小さいタスクを選ぶ？", 3),
        # A name the notes write.
        ("What does CFS choose?", 3),
    ],
)
def test_a_name_the_learner_may_use_or_a_known_head_is_answered(subject_service, question, line):
    _assert_first_hit_holds(subject_service, question, line)


def test_only_an_opening_word_makes_a_question_english():
    from bot.core.refusal import is_english_phrased

    assert is_english_phrased("What is KVM?")
    assert is_english_phrased("Why?")
    assert not is_english_phrased("IS-ISってどんなプロトコル？")
    assert not is_english_phrased("Howto.mdの書き方")


def test_comparing_a_loanword_the_notes_never_use_is_refused(subject_service):
    # The notes know ラウンドロビン, never フェアシェア: they cannot compare the two.
    assert subject_service.ask("ラウンドロビンとフェアシェアではどっちがタスクを順番に動かす？").hits == ()
    assert subject_service.ask("ラウンドロビンとCFSの違いは？").hits


HISTORY_NOTES = """# Kubernetes

- Pod は Kubernetes でデプロイできる最小単位
- Deployment は Pod の数を保つ

# Docker

- Docker は 2013年に公開された。コンテナを手軽にした

# Borg

- Borg は Google の中のクラスタ管理。ここから Kubernetes の歴史が始まる

# 読書

- 歴史の本と変遷の本は別の棚
"""


@pytest.fixture(scope="module")
def history_service(tmp_path_factory, analyzer: Analyzer) -> AnswerService:
    return _service_over(tmp_path_factory, analyzer, "history", HISTORY_NOTES)


@pytest.mark.parametrize("question", ["Deploymentの歴史をざっくり教えて", "Deployment の変遷は？", "Deployment history?"])
def test_a_history_is_not_answered_by_notes_that_date_nothing(history_service, question):
    # The notes know Deployment, 歴史 and 変遷, but no hit about it dates anything.
    assert history_service.ask(question).hits == ()


@pytest.mark.parametrize(
    "question, line",
    [
        ("Dockerの歴史は？", 8),  # a date
        ("Kubernetesの歴史は？", 12),  # told in words
        ("Deploymentは何を保つ？", 4),  # not asked for a history
    ],
)
def test_a_history_is_answered_where_the_notes_date_or_tell_it(history_service, question, line):
    _assert_first_hit_holds(history_service, question, line)


SHELL_NOTES = """# シェル

- 今まで打ったコマンドは番号つきで一覧にできる
- 履歴ファイルはホームディレクトリにあり、シェルを閉じると追記される

# ReplicaSet

- ReplicaSet は Pod の数を保つ

# 家の話

- 祖父の家の沿革と、引っ越した経緯と、その歴史 (family history) を聞いた
"""


@pytest.fixture(scope="module")
def shell_service(tmp_path_factory, analyzer: Analyzer) -> AnswerService:
    return _service_over(tmp_path_factory, analyzer, "shell", SHELL_NOTES)


@pytest.mark.parametrize(
    "question", ["ReplicaSetの沿革は？", "ReplicaSetの経緯は？", "ReplicaSetの歴史は？", "ReplicaSet History?"]
)
def test_every_word_for_a_history_asks_for_one(shell_service, question):
    # The notes know ReplicaSet and each history word, but date nothing about it.
    assert shell_service.ask(question).hits == ()


@pytest.mark.parametrize(
    "question, line",
    [
        # The learner's names of what the notes say in other words: no history asked.
        ("historyコマンドは今まで打ったコマンドを番号つきで一覧にできる？", 3),
        ("bash_history ファイルはホームディレクトリにあり、シェルを閉じると追記される？", 4),
        ("ReplicaSetは何を保つ？", 8),
    ],
)
def test_history_inside_a_name_asks_for_no_history(shell_service, question, line):
    _assert_first_hit_holds(shell_service, question, line)
