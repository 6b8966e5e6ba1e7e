"""The index as the knowledge grows: items prepared once when written, the index saved beside
the database and loaded by every process, items read only when they are candidates, and
precision that does not erode with the size of the base."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys

import pytest

from bot.knowledge import catalog
from bot.knowledge.editing import Editor
from bot.knowledge.live import build_engine
from bot.knowledge.store import KnowledgeStore
from bot.search import prepared
from bot.search.engine import Engine
from bot.search.items import FaqItem

from .conftest import KNOWLEDGE, ROOT, TODAY

QUESTION = "Thời gian tối thiểu luân chuyển cán bộ là bao lâu?"


@pytest.fixture
def store(tmp_path) -> KnowledgeStore:
    return KnowledgeStore(tmp_path / "bot.db", seed_dir=KNOWLEDGE)


def index_folders(store: KnowledgeStore) -> list[str]:
    home = store.path.with_name(store.path.name + ".index")
    return sorted(p.name for p in home.iterdir() if not p.name.startswith(".")) if home.exists() else []


def test_an_edit_prepares_that_entry_only_and_is_answered_at_once(store, monkeypatch):
    calls = []
    real = prepared.prepare
    monkeypatch.setattr(prepared, "prepare", lambda item: calls.append(item.key) or real(item))
    Editor(store).add_entry({"question": "Tổ công tác đặc biệt có nhiệm vụ gì?",
                             "answer": "Rà soát hồ sơ của cán bộ trước khi luân chuyển.", "source": "Nguồn thử"}, "tester")
    assert len(calls) == 1 and calls[0].startswith("entry:")
    answer = build_engine(store, today=TODAY, semantic=False).answer("to cong tac dac biet co nhiem vu gi")
    assert answer.found and "Rà soát hồ sơ" in answer.answer


def test_a_figure_added_to_a_metric_changes_that_metric_only(store, monkeypatch):
    metric, unit = store.metrics()[0]["key"], store.metrics()[0]["unit"]
    calls = []
    real = prepared.prepare
    monkeypatch.setattr(prepared, "prepare", lambda item: calls.append(item.key) or real(item))
    Editor(store).add_statistic({"metric": metric, "value": 3, "unit": unit, "period_start": "2026-10",
                                 "period_end": "2026-10", "source": "Nguồn thử"}, "tester")
    assert calls == [f"metric:{metric}"]


def test_the_index_is_saved_once_and_loaded_by_the_next_process(store, monkeypatch):
    first = build_engine(store, today=TODAY, semantic=False).answer(QUESTION)
    assert len(index_folders(store)) == 1
    monkeypatch.setattr(catalog, "build_index", lambda *_: pytest.fail("the saved index was not used"))
    again = build_engine(KnowledgeStore(store.path), today=TODAY, semantic=False).answer(QUESTION)
    assert (again.found, again.answer) == (first.found, first.answer)


def test_a_change_gives_a_new_index_and_the_old_one_goes(store):
    build_engine(store, today=TODAY, semantic=False)
    before = index_folders(store)
    Editor(store).add_entry({"question": "Tổ công tác đặc biệt họp ở đâu?", "answer": "Tại trụ sở Huyện ủy.",
                             "source": "Nguồn thử"}, "tester")
    engine = build_engine(store, today=TODAY, semantic=False)
    assert index_folders(store) != before and len(index_folders(store)) == 1
    assert engine.answer("tổ công tác đặc biệt họp ở đâu").answer.startswith("Tại trụ sở")


def test_a_half_written_index_folder_is_never_read(store):
    build_engine(store, today=TODAY, semantic=False)
    home = store.path.with_name(store.path.name + ".index")
    saved = home / index_folders(store)[0]
    (saved / "post_docs.npy").write_bytes(b"broken")  # as if the disk failed under it
    answer = build_engine(KnowledgeStore(store.path), today=TODAY, semantic=False).answer(QUESTION)
    assert answer.found  # rebuilt from the stored term ids
    assert (saved / "post_docs.npy").read_bytes() != b"broken"  # and saved again for the next process


def test_an_entry_deleted_meanwhile_is_not_answered_by_the_old_index(store):
    engine = build_engine(store, today=TODAY, semantic=False)
    key = engine.answer(QUESTION).item
    Editor(store).delete_entry(key.removeprefix("entry:"), "tester")
    fresh = engine.items.__class__(store.path, list(engine.items.keys))  # what an old engine reads now
    old = Engine(fresh, today=TODAY, index=engine.index)
    assert old.answer(QUESTION).item != key


def test_a_file_from_an_older_version_is_prepared_when_opened(tmp_path, store):
    store.db.execute("delete from prepared")
    store.db.execute("delete from meta where key = 'prepared_version'")
    store.db.close()
    shutil.rmtree(store.path.with_name(store.path.name + ".index"), ignore_errors=True)
    reopened = KnowledgeStore(store.path)
    assert reopened.db.execute("select count(*) from prepared").fetchone()[0] == sum(
        reopened.counts()[t] for t in ("entries", "metrics", "passages"))
    assert build_engine(reopened, today=TODAY, semantic=False).answer(QUESTION).found


def test_another_process_answers_from_the_saved_index(store):
    build_engine(store, today=TODAY, semantic=False)
    saved = index_folders(store)
    done = subprocess.run([sys.executable, "-m", "bot", "ask", QUESTION], cwd=ROOT, capture_output=True, text=True,
                          env={"DATABASE_PATH": str(store.path), "PATH": ""}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "năm" in done.stdout and index_folders(store) == saved


# --- precision that holds as the base grows --------------------------------------------------

WORDS = ("cán bộ luân chuyển huyện tỉnh xã quy định kết luận ban chấp hành thường vụ đảng bộ ủy viên bí thư chủ "
         "tịch phó trưởng phòng sở ngành cơ quan đơn vị công tác điều động bổ nhiệm đánh giá quy hoạch đào tạo bồi "
         "dưỡng nhiệm kỳ kế hoạch kiểm tra giám sát tổng kết báo cáo").split()


def synthetic(count: int) -> list[FaqItem]:
    rng = random.Random(5)
    return [
        FaqItem(key=f"entry:s{i}", title=" ".join(rng.choices(WORDS, k=9)), phrasings=[],
                body=" ".join(rng.choices(WORDS, k=30)), source="thử", as_of="2020-01-01")
        for i in range(count)
    ]


def test_a_few_common_words_are_refused_in_a_large_base_while_a_known_question_is_answered():
    """In a base of a thousand items, any three or four common words meet in dozens of them."""
    items = synthetic(1000)
    engine = Engine(items, today=TODAY)
    rng = random.Random(9)
    salad = [" ".join(rng.choices(WORDS, k=rng.randint(3, 4))) for _ in range(60)]
    assert sum(engine.answer(q).found for q in salad) <= 1
    asked = items[123].title
    answer = engine.answer(asked)
    assert answer.found and answer.item == "entry:s123"


def test_a_large_index_scores_only_items_with_a_rarer_word_and_ranks_them_as_the_full_scan():
    from bot.search import index as index_module
    from bot.search.index import InvertedIndex

    rng = random.Random(3)
    common = [f"c{i}" for i in range(20)]
    bags = [{w: 1.0 for w in rng.sample(common, 6)} | {f"r{i % 5000}": 1.0} for i in range(index_module.PRUNE_FROM)]
    index = InvertedIndex.from_bags(bags)
    query = [("r42", 1.0), ("c1", 1.0), ("c2", 1.0), ("c3", 1.0)]
    pruned = index.search(query, 16)
    assert pruned and all("r42" in bags[doc] for doc, _ in pruned)  # nothing found by common words alone
    full = InvertedIndex.from_bags(bags)
    full_size = index_module.PRUNE_FROM
    index_module.PRUNE_FROM = full_size + 1
    try:
        exact = [hit for hit in full.search(query, 5000) if "r42" in bags[hit[0]]]
    finally:
        index_module.PRUNE_FROM = full_size
    assert len(pruned) == 10 and set(pruned) == set(exact)  # the same items and scores as scoring every item
    assert [score for _, score in pruned] == sorted((score for _, score in pruned), reverse=True)
