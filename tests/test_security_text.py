"""Corpus and user text stays text: hostile records imported from BibTeX, RIS and CSL-JSON, and
hostile claims, through every export format and every page of the web UI; and the corpus files
that broke the loaders (YAML bombs, wrong encodings, huge fields)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT

from kb.bibliography import import_file
from kb.bibliography.formats import EXPORT_FORMATS, export_sources
from kb.build.builder import build
from kb.errors import CorpusError
from kb.knowledge_base import KnowledgeBase

KB = str(Path(sys.executable).parent / "kb")
SCRIPT = "<script>alert(1)</script>"
PAYLOAD = (
    f"A & B {SCRIPT} <img src=x onerror=alert(2)> **bold** [link](javascript:alert(3)) "
    "![img](http://evil.example/x.png) $x^2$ ~~gone~~ `code` :red[red] # head"
)
# Markup that would act if a renderer met it unescaped (a backslash before it makes it literal text).
RAW_MARKUP = [
    re.compile(p)
    for p in (
        r"(?<!\\)<(?:script|img|svg|b>|u>)",
        r"(?<!\\)\]\(",
        r"!\[",
        r"(?<!\\)\$x",
        r"(?<!\\)~~",
        r":red\[",
        r"(?<!\\)\*\*bold",
    )
]


def _hostile_files(folder: Path) -> dict[str, Path]:
    bib = folder / "hostile.bib"
    bib.write_text(
        "@article{evil2020bib,\n  author = {Evil, Eve},\n  title = {" + PAYLOAD + "},\n"
        "  journaltitle = {<b>Journal</b> [j](http://evil.example)},\n  year = {2020},\n}\n",
        encoding="utf-8",
    )
    ris = folder / "hostile.ris"
    ris.write_text(
        "TY  - JOUR\nAU  - Risky, Rita\nTI  - " + PAYLOAD.replace("A & B", "RIS") + "\nT2  - <i>J</i>\n"
        "PY  - 2019\nER  - \n",
        encoding="utf-8",
    )
    csl = folder / "hostile.json"
    csl.write_text(
        json.dumps(
            [
                {
                    "id": "x",
                    "type": "article-journal",
                    "title": PAYLOAD.replace("A & B", "CSL"),
                    "container-title": "<svg onload=alert(4)>",
                    "publisher": "[p](http://evil.example)",
                    "author": [{"family": "Jason <b>", "given": "J."}],
                    "issued": {"date-parts": [[2018]]},
                }
            ]
        ),
        encoding="utf-8",
    )
    return {"bibtex": bib, "ris": ris, "csl-json": csl}


@pytest.fixture
def hostile_project(tiny_project):
    for path in _hostile_files(tiny_project.root).values():
        report = import_file(tiny_project, path)
        assert len(report.added) == 1, report
    claims = tiny_project.corpus / "claims" / "evil2020bib.yaml"
    claims.write_text(
        'source: evil2020bib\ncurated_by: "<b>curator</b> [c](http://evil.example)"\ncurated_on: 2026-12-04\n'
        "based_on: abstract\nclaims:\n  - id: evil2020bib-hostile\n    text:\n      en: " + json.dumps(PAYLOAD) + "\n"
        "    themes: [innovation-cluster]\n    evidence: conceptual\n    note: " + json.dumps(PAYLOAD) + "\n"
        "    locator: " + json.dumps("p. <u>1</u>") + "\n",
        encoding="utf-8",
    )
    build(tiny_project)
    return tiny_project


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)

    def handle_data(self, data):
        self.text += data


def test_every_export_format_keeps_hostile_values_as_text(hostile_project):
    kb = KnowledgeBase(hostile_project)
    sources = [s for s in kb.corpus.sources.values() if s.key in ("evil2020bib", "risky2019ris", "x")]
    assert len(sources) == 3
    claims = {s.key: kb.corpus.claims_of(s.key) for s in sources}
    for kind in EXPORT_FORMATS:
        for style in (None, "gost-r-7-0-5-2008") if kind.formatted else (None,):
            text = export_sources(sources, kind.name, style, claims)
            if kind.name == "html":
                parsed = _Tags()
                parsed.feed(text)
                assert parsed.tags <= {"html", "head", "meta", "title", "body", "div", "i", "b", "span", "ul", "li"}
                assert parsed.attributes <= {"lang", "charset", "class"}
                assert SCRIPT in parsed.text and "<img src=x" in parsed.text  # shown, as text
            elif kind.name == "markdown":
                for raw in RAW_MARKUP:
                    assert not raw.search(text), (style, raw.pattern)
                assert "\\<script\\>" in text and "\\*\\*bold\\*\\*" in text
            elif kind.name == "csl-json":
                items = {item["id"]: item for item in json.loads(text)}
                assert items["evil2020bib"]["title"] == kb.corpus.sources["evil2020bib"].title  # the value, unchanged
            else:
                assert "alert(1)" in text  # text formats carry the value itself


def test_cli_html_export_keeps_hostile_values_as_text(hostile_project, tmp_path):
    output = tmp_path / "refs.html"
    env = {**os.environ, "KB_BUILD_DIR": str(hostile_project.build)}
    done = subprocess.run(
        [
            KB,
            "--root",
            str(hostile_project.root),
            "export",
            "--keys",
            "evil2020bib",
            "--format",
            "html",
            "-o",
            str(output),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    parsed = _Tags()
    parsed.feed(output.read_text(encoding="utf-8"))
    assert "script" not in parsed.tags and "img" not in parsed.tags and SCRIPT in parsed.text


def _markdown_sources(app) -> list[str]:
    """The Markdown source of every element the browser renders as Markdown: text, captions, titles,
    headers, alerts, badges, expander and page-link labels."""
    found = []

    def walk(node):
        for child in getattr(node, "children", {}).values():
            walk(child)
        proto = getattr(node, "proto", None)
        if proto is None:
            return
        for field in ("body", "label"):
            value = getattr(proto, field, None)
            if isinstance(value, str) and value:
                found.append(value)

    walk(app._tree)
    return found


@pytest.mark.parametrize(
    "page, params",
    [
        ("source", {"key": "evil2020bib"}),
        ("source", {"key": "risky2019ris"}),
        ("source", {}),
        ("claim", {"id": "evil2020bib-hostile"}),
        ("themes", {"id": "innovation-cluster"}),
        ("search", {"q": "alert bold link"}),
        ("evidence_map", {"row": "innovation-cluster", "col": "conceptual"}),
        ("source", {"key": "![x](http://evil.example/t.png)"}),
        ("claim", {"id": "[x](javascript:alert(1))"}),
        ("themes", {"id": "<img src=x onerror=alert(1)>"}),
    ],
)
def test_every_page_renders_hostile_values_as_text(monkeypatch, hostile_project, page, params):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("KB_ROOT", str(hostile_project.root))
    monkeypatch.setenv("KB_BUILD_DIR", str(hostile_project.build))
    app = AppTest.from_file(str(ROOT / "app" / "streamlit_app.py"), default_timeout=60)
    for key, value in params.items():
        app.query_params[key] = value
    app.switch_page(f"app_pages/{page}.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    shown = _markdown_sources(app)
    assert shown
    for value in shown:
        for raw in RAW_MARKUP:
            assert not raw.search(value), (page, params, raw.pattern, value)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "body, line",
    [
        ("source: smith2001proximity\nx: &a [1, 2]\ny: [*a, *a]\n", 2),
        ("source: smith2001proximity\nclaims: &c\n  - *c\n", 2),
        (
            "source: smith2001proximity\n"
            + "".join(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9 if i else ["lol"] * 9) + "]\n" for i in range(12)),
            2,
        ),
    ],
)
def test_yaml_aliases_are_refused_with_file_and_line(tiny_project, body, line):
    claims = _write(tiny_project.corpus / "claims" / "smith2001proximity.yaml", body)
    env = {**os.environ, "KB_BUILD_DIR": str(tiny_project.build)}
    done = subprocess.run(
        [KB, "--root", str(tiny_project.root), "validate"], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [done.stderr.strip().splitlines()[0]]
    assert f"{claims}:{line}: YAML" in done.stderr and "not allowed" in done.stderr


def test_a_non_utf8_bib_is_one_error_with_its_line(tiny_project):
    (tiny_project.corpus / "latin1.bib").write_bytes(
        "@article{cafe2020,\n  author = {Caf, B},\n  title = {Caf\xe9},\n  year = {2020},\n}\n".encode("latin-1")
    )
    with pytest.raises(CorpusError, match=r"latin1\.bib:3: not UTF-8"):
        build(tiny_project)
    assert not (tiny_project.build / "current").exists()


def test_a_huge_field_is_refused_at_import_and_at_validate(tiny_project, tmp_path):
    huge = _write(
        tmp_path / "huge.bib",
        "@article{huge2020,\n  author = {Huge, H},\n  title = {Huge},\n"
        "  year = {2020},\n  abstract = {" + "x" * 200_000 + "},\n}\n",
    )
    report = import_file(tiny_project, huge)
    assert not report.added and "field 'abstract' is 200,000 characters" in report.skipped[0].reason
    assert report.skipped[0].where.endswith("huge.bib:5")
    (tiny_project.corpus / "huge.bib").write_text(huge.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"huge\.bib:5: .*field 'abstract'"):
        build(tiny_project)


def test_names_with_equals_signs_and_repeated_fields(tiny_project, tmp_path):
    fine = _write(
        tmp_path / "eq.bib",
        "@article{corp2020,\n  author = {{Alpha=Beta Corp} and Doe, J},\n  title = {Equals},\n  year = {2020},\n}\n",
    )
    assert len(import_file(tiny_project, fine, dry_run=True).added) == 1
    folded = _write(
        tmp_path / "folded.bib", "@article{fold2020,\n  author = {Doe, J}\n  title = {Folded},\n  year = {2020},\n}\n"
    )
    assert "before field 'title'" in import_file(tiny_project, folded, dry_run=True).skipped[0].reason
    repeated = _write(
        tmp_path / "dup.bib",
        "@article{dup2020,\n  author = {Doe, J},\n  title = {A},\n  title = {B},\n  year = {2020},\n}\n",
    )
    reason = import_file(tiny_project, repeated, dry_run=True).skipped[0].reason
    assert reason == "entry 'dup2020' gives the field 'title' twice; keep one"


def test_import_keeps_the_corpus_files_modes_and_fails_when_nothing_imports(tiny_project, tmp_path):
    target = tiny_project.corpus / "imported.bib"
    first = _write(
        tmp_path / "a.bib", "@article{alpha2020,\n  author = {Alpha, A},\n  title = {Alpha},\n  year = {2020},\n}\n"
    )
    import_file(tiny_project, first)
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    os.chmod(target, 0o640)
    second = _write(
        tmp_path / "b.bib", "@article{beta2021,\n  author = {Beta, B},\n  title = {Beta},\n  year = {2021},\n}\n"
    )
    import_file(tiny_project, second)
    assert target.stat().st_mode & 0o777 == 0o640
    bad = _write(tmp_path / "bad.bib", "@article{bad2020,\n  title = {No year},\n}\n")
    env = {**os.environ, "KB_BUILD_DIR": str(tiny_project.build)}
    before = target.read_text(encoding="utf-8")
    done = subprocess.run(
        [KB, "--root", str(tiny_project.root), "import", str(bad)], capture_output=True, text=True, env=env
    )
    assert done.returncode == 1 and done.stderr.startswith("error: no record")
    assert target.read_text(encoding="utf-8") == before


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
