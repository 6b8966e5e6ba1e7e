"""The bot as it ships: a wheel named luanchuyen-bot that carries its knowledge files, installed
into a fresh virtual environment outside the checkout, answers a question."""

from __future__ import annotations

import os
import site
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT


def test_the_installed_wheel_answers_from_the_knowledge_it_carries(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(ROOT)],
                   check=True, timeout=600, capture_output=True)
    [wheel] = dist.glob("luanchuyen_bot-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    [target] = (venv / "lib").glob("python*/site-packages")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, timeout=300, capture_output=True)
    # The dependencies come from this environment: a path line, so none of its .pth files (the
    # editable install of the checkout among them) takes effect there.
    (target / "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KNOWLEDGE_DIR")}
    env["DATABASE_PATH"] = str(tmp_path / "bot.db")
    python = str(venv / "bin" / "python")
    where = subprocess.run([python, "-c", "import bot.settings as s; print(s.__file__); print(s.DEFAULT_KNOWLEDGE_DIR)"],
                           capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60, check=True)
    module, knowledge = where.stdout.splitlines()
    assert Path(module).is_relative_to(target) and Path(knowledge) == target / "bot" / "seed"
    out = subprocess.run([python, "-m", "bot", "ask", "Ai chủ trì hội nghị sơ kết NQ 02?"],
                         capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "Nguyễn Văn Quý" in out.stdout and "Nguồn:" in out.stdout
