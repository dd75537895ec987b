"""Shared fixtures: a tiny fixture corpus (copied per test, so tests may break it) and the real corpus."""

from __future__ import annotations

import inspect
import re
import shutil
from pathlib import Path

import pytest

from kb.config import Settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CORPUS = Path(__file__).parent / "fixtures" / "corpus"


@pytest.fixture
def tiny_project(tmp_path: Path) -> Settings:
    """A project folder with the fixture corpus and the real ontology; its own build folder."""
    shutil.copytree(FIXTURE_CORPUS, tmp_path / "corpus")
    shutil.copytree(ROOT / "ontology", tmp_path / "ontology")
    return Settings(root=tmp_path)


@pytest.fixture(scope="session")
def real_project(tmp_path_factory) -> Settings:
    """The real corpus and ontology, built once into a scratch build folder."""
    from kb.build.builder import build

    settings = Settings(root=ROOT, build_dir=tmp_path_factory.mktemp("real-build"))
    build(settings)
    return settings


@pytest.fixture(scope="session")
def real_kb(real_project):
    from kb.knowledge_base import KnowledgeBase

    return KnowledgeBase(real_project)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


# -- test tiers -----------------------------------------------------------------------------------
# `make check` runs the tests that need no embedding model, server or browser: `-m "not (model or
# server or browser)"`. A test needs the model when it builds (every build embeds) or opens a
# build: through a fixture that does, or by calling build(...) itself. Servers and browsers are
# marked by their modules. `make test` runs every tier.
_MODEL_FIXTURES = {
    "real_project",
    "real_kb",
    "hostile_project",
    "tiny_kb",
    "tiny_evidence",
    "real_evidence",
    "built",
    "endpoint",
    "app_url",
    "writable_store",
    "in_memory_workers",
    "searcher",
}
_SERVER_MODULES = {"test_endpoint", "test_security_serve"}
_BUILDS = re.compile(r"""\b(build|run_build)\(|\bKnowledgeBase\(|\bSearcher\(|["']build["']""")


def pytest_collection_modifyitems(items):
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1]
        if module == "test_browser":
            item.add_marker(pytest.mark.browser)
        if module in _SERVER_MODULES:
            item.add_marker(pytest.mark.server)
        try:
            source = inspect.getsource(item.function)
        except (OSError, TypeError):
            source = ""
        if set(item.fixturenames) & _MODEL_FIXTURES or _BUILDS.search(source):
            item.add_marker(pytest.mark.model)
