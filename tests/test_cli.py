"""The command-line contract that later channels and the project's checks rely on."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys

import pytest

from bot.channels.console import run_console

KEYS = {"question", "found", "answer", "score", "source", "suggestions"}


@pytest.fixture
def run(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.endswith("_BOT_TOKEN")} | {"DATABASE_PATH": str(tmp_path / "cli.db")}

    def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
            cwd=tmp_path, env=env, timeout=60,
        )

    return _run


def test_ask_prints_answer_and_source_for_a_person(run):
    out = run("ask", "Ai chủ trì hội nghị sơ kết NQ 02?")
    assert out.returncode == 0
    assert "Nguyễn Văn Quý" in out.stdout and "Nguồn:" in out.stdout


def test_ask_json_prints_one_object_with_the_contract_keys(run):
    out = run("ask", "--json", "luan chuyen toi thieu may nam")
    data = json.loads(out.stdout)
    assert set(data) == KEYS
    assert data["found"] is True and isinstance(data["score"], (int, float)) and 0 <= data["score"] <= 100
    assert data["source"]


def test_ask_jsonl_answers_every_line_in_order(run):
    questions = ["Nghị quyết 11-NQ/TW ban hành năm nào?", "", "giá vàng hôm nay", "xin chào", "qd 98 ban hanh nam nao"]
    out = run("ask", "--jsonl", stdin="\n".join(questions) + "\n")
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [line["question"] for line in lines] == [q for q in questions]
    assert [line["found"] for line in lines] == [True, False, False, False, True]
    assert "2002" in lines[0]["answer"] and "2017" in lines[4]["answer"]
    assert all(set(line) == KEYS for line in lines)


def test_database_is_created_and_seeded_on_first_use(run, tmp_path):
    assert not (tmp_path / "cli.db").exists()
    assert run("ask", "--json", "Nghị quyết 02 là gì").returncode == 0
    assert (tmp_path / "cli.db").exists()


def test_ask_without_question_explains_usage(run):
    out = run("ask")
    assert out.returncode == 2 and "python -m bot ask" in out.stderr


def test_a_mistyped_command_is_told_in_vietnamese_on_stderr(run):
    out = run("kb", "show")
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.startswith("cách dùng: python -m bot kb show [-h] mã")
    assert out.stderr.endswith("python -m bot kb show: lỗi: còn thiếu: mã\n")


@pytest.mark.parametrize("command", [["run"], ["broadcast", "send"]])
def test_without_a_token_the_way_forward_is_said_once_in_vietnamese(run, command):
    out = run(*command)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.count("TELEGRAM_BOT_TOKEN") == 1 and out.stderr.count("python -m bot chat") == 1


def test_a_broken_figure_is_told_once(run, tmp_path):
    run("kb", "list")
    with sqlite3.connect(tmp_path / "cli.db") as db:
        [(broken,)] = db.execute("select id from statistics order by id limit 1").fetchall()
        db.execute("update statistics set value = 'nhiều' where id = ?", [broken])
    out = run("stats", "list")
    assert out.returncode == 0 and broken not in out.stdout
    assert out.stderr.count(broken) == 1 and "Số liệu lỗi, bị bỏ qua khi trả lời" in out.stderr


def test_chat_a_digit_picks_a_suggestion(engine, make_conversation):
    question = "lương của cán bộ luân chuyển mỗi tháng"
    offered = engine.answer(question).titles  # the short titles the choices show
    assert offered, "precondition: this question is refused with suggestions"
    out = io.StringIO()
    assert run_console(make_conversation(), io.StringIO(f"{question}\n1\n7\nthoat\n"), out) == 0
    text = out.getvalue()
    assert f"  1. {offered[0]}" in text
    assert f"({offered[0]})" in text
    assert "Không có gợi ý số này" in text


def test_chat_ends_cleanly_at_end_of_input(run):
    out = run("chat", stdin="xin chào\n")
    assert out.returncode == 0 and "Kính chào đồng chí" in out.stdout and "Traceback" not in out.stderr


def test_eval_reports_engine_and_baselines(run, tmp_path):
    tsv = tmp_path / "q.tsv"
    tsv.write_text("fact\tAi chủ trì hội nghị sơ kết Nghị quyết 02?\tnguyen van quy\nood\tgiá vàng hôm nay\tOOD\n", encoding="utf-8")
    out = run("eval", str(tsv))
    assert "engine" in out.stdout and "rapidfuzz WRatio" in out.stdout and "BM25 (bm25s)" in out.stdout
    assert "in-domain" in out.stdout and "OOD refused" in out.stdout
    assert out.returncode == 0


def test_bad_settings_are_named_one_by_one_before_anything_starts(run, tmp_path):
    env = os.environ | {"DATABASE_PATH": str(tmp_path / "cli.db"), "WEBHOOK_PORT": "abc", "BROADCAST_RATE_ZALO": "0",
                        "ADMIN_IDS": "telegram:1, 12345", "BROADCAST_WHEN_EMPTY": "never", "LOG_LEVEL": "loud",
                        "WEBHOOK_URL": "http://bot.example/tg"}
    out = subprocess.run([sys.executable, "-m", "bot", "ask", "xin chào"], capture_output=True, text=True,
                         cwd=tmp_path, env=env, timeout=60)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    for name in ("WEBHOOK_PORT='abc'", "BROADCAST_RATE_ZALO='0'", "ADMIN_IDS", "12345", "BROADCAST_WHEN_EMPTY='never'",
                 "LOG_LEVEL='loud'", "WEBHOOK_URL"):
        assert name in out.stderr
    assert "must" not in out.stderr and "one of" not in out.stderr  # said once, in Vietnamese
    assert not (tmp_path / "cli.db").exists()


def test_settings_defaults_are_declared_once_and_empty_values_take_them(monkeypatch):
    from bot.settings import Settings

    for name in ("WEBHOOK_PORT", "BROADCAST_CRON", "ZALO_BASE_URL", "ADMIN_IDS"):
        monkeypatch.setenv(name, "")
    loaded = Settings.load(env_file=None)
    assert loaded.webhook_port == Settings().webhook_port == 8443
    assert loaded.broadcast_cron == "0 8 1 * *" and loaded.admins == frozenset()
    monkeypatch.setenv("ADMIN_IDS", "Telegram:12 ; zalo:abc")
    assert Settings.load(env_file=None).admins == {"telegram:12", "zalo:abc"}
