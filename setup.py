"""Packages: bot and its subpackages, and bot.seed, the shipped knowledge files, which stay in
knowledge/ at the top of the repository (pyproject.toml cannot map one folder elsewhere while
finding the others)."""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["bot", "bot.*"]), "bot.seed"], package_dir={"bot.seed": "knowledge"})
