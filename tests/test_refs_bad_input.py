"""Bad input to `kb refs parse` and `kb import` of a reference list: one clear message each (file and
line), a non-zero exit where nothing could be parsed, nothing written to the corpus."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kb.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "refs"
GOST = "Исланкина Е.А. Теоретические аспекты интернационализации кластеров // Научное обозрение. – 2014. – № 9. С. 504-513."


def _run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _corpus(settings) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(settings.corpus.glob("*.bib"))}


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    result = _run("refs", "parse", str(path))
    assert result.exit_code == 1 and result.stderr == f"error: {path}: the file is empty; nothing to parse\n"


def test_prose_names_each_line_and_exits_non_zero(tmp_path):
    path = tmp_path / "prose.txt"
    path.write_text(
        "Modern development of regional innovations is influenced by two trends.\n\n"
        "This dual nature of spatial factor foregrounds the need to study the phenomenon.\n",
        encoding="utf-8",
    )
    result = _run("refs", "parse", str(path), "--json")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == ["{}", "{}"]
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{path}:1: cannot parse: ") and lines[1].startswith(f"{path}:3: cannot parse: ")
    assert lines[-1] == f"error: {path}: none of its 2 lines could be parsed as a reference"


def test_binary_data(tmp_path):
    path = tmp_path / "list.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    result = _run("refs", "parse", str(path))
    assert result.exit_code == 1 and result.stderr.startswith(f"error: {path}: binary data")
    assert result.stderr.count("\n") == 1


def test_utf16_file_is_read(tmp_path):
    path = tmp_path / "utf16.txt"
    path.write_bytes(("1. " + GOST + "\n").encode("utf-16"))
    result = _run("refs", "parse", str(path), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["container-title"] == "Научное обозрение"


def test_utf16_without_bom_is_read(tmp_path):
    path = tmp_path / "utf16le.txt"
    path.write_bytes(
        ("Roudometof, V. The Glocal and Global Studies // Globalizations. – 2015. – Vol. 12. – P. 774–787.\n").encode(
            "utf-16-le"
        )
    )
    result = _run("refs", "parse", str(path), "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["container-title"] == "Globalizations"


def test_windows_1251_file_is_read_with_a_note(tmp_path):
    path = tmp_path / "cp1251.txt"
    path.write_bytes((GOST + "\n").encode("cp1251"))
    result = _run("refs", "parse", str(path), "--json")
    assert result.exit_code == 0
    assert result.stderr == f"note: {path}: not UTF-8; read as Windows-1251\n"
    assert json.loads(result.stdout)["title"] == "Теоретические аспекты интернационализации кластеров"


def test_a_100000_character_line_is_refused_alone(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text(GOST + "\n" + "Кластер, " * 11_112 + "\n", encoding="utf-8")
    result = _run("refs", "parse", str(path), "--json")
    assert result.exit_code == 0  # the first line still parses
    out = result.stdout.splitlines()
    assert json.loads(out[0])["title"] and out[1] == "{}"
    assert f"{path}:2: cannot parse: 100,007 characters is too long for one reference" in result.stderr


def test_two_references_on_one_line_are_reported(tmp_path):
    path = tmp_path / "runon.txt"
    path.write_text(
        "1. Cooke P. Regionally Asymmetric Knowledge Capabilities // Research Policy. – 2005. – No.34. – "
        "P.1128-1149. 2. Roudometof, V. The Glocal and Global Studies // Globalizations. – 2015. – Vol. 12. "
        "– No. 5. – P. 774–787.\n",
        encoding="utf-8",
    )
    result = _run("refs", "parse", str(path), "--json")
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 2
    assert f"warning: {path}:1: line 1 holds 2 references (numbers 1-2); split them" in result.stderr


def test_import_of_prose_writes_nothing_and_fails(tiny_project, tmp_path):
    before = _corpus(tiny_project)
    path = tmp_path / "prose.txt"
    path.write_text("A sentence that is not a reference at all.\n", encoding="utf-8")
    result = _run("--root", str(tiny_project.root), "import", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"error: {path}: no reference could be parsed into a record; first problem: {path}:1:"
    )
    assert _corpus(tiny_project) == before


def test_import_of_binary_and_empty_files_writes_nothing(tiny_project, tmp_path):
    before = _corpus(tiny_project)
    binary, empty = tmp_path / "b.txt", tmp_path / "e.txt"
    binary.write_bytes(b"\x00\x01\x02" * 50)
    empty.write_bytes(b"  \n")
    for path, message in ((binary, "binary data"), (empty, "the file is empty")):
        result = _run("--root", str(tiny_project.root), "import", str(path), "--format", "refs")
        assert result.exit_code == 1 and message in result.stderr and str(path) in result.stderr
    assert _corpus(tiny_project) == before
