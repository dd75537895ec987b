"""Writing an import into corpus/: new entries appended to one .bib file, new fields added to existing ones.

Existing entries are edited in place, line by line (a field added before the closing brace, a
sentence added to `verification`), never rewritten, so a curator's formatting and comments stay.
Before anything is written, the changed corpus is validated as `kb validate` would (parsing,
cross-references, SHACL) in a scratch copy; only then is each file replaced in one rename.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from kb.bibliography.bibtex_writer import VERBATIM, format_value
from kb.build.atomic import write_text_atomic
from kb.corpus.files import corpus_files
from kb.errors import CorpusError, KbError, Location

IMPORT_FILE_HEADER = (
    "% Records added by `kb import` (see docs/bibliographies.md).\n"
    "% Each one says in `verification` where it came from; check it against the publication and edit freely.\n"
)


class ChangedFiles:
    """The new text of every corpus file an import touches, built up before anything is written."""

    def __init__(self):
        self.texts: dict[Path, str] = {}

    def text(self, path: Path) -> str:
        if path not in self.texts:
            self.texts[path] = path.read_text(encoding="utf-8") if path.exists() else IMPORT_FILE_HEADER
        return self.texts[path]

    def append_entries(self, path: Path, entries: list[str]) -> None:
        text = self.text(path).rstrip("\n")
        self.texts[path] = text + "\n\n" + "\n".join(entries).rstrip("\n") + "\n"

    def add_fields(self, path: Path, key: str, line: int, fields: list[tuple[str, str]], provenance: str) -> None:
        """Add `fields` to entry `key` (starting on `line`) and a sentence to its `verification`."""
        text = self.text(path)
        start, end = _entry_span(text, key, line, path)
        entry = text[start:end]
        body = entry.rstrip()
        assert body.endswith("}")
        body = body[:-1].rstrip()
        lines = [f"  {name} = {{{format_value(value, name in VERBATIM)}}}" for name, value in fields]
        verification = _find_field(body, "verification")
        if verification:
            body = body[: verification[1]] + " " + format_value(provenance) + body[verification[1] :]
        else:
            lines.append(f"  verification = {{{format_value(provenance)}}}")
        if lines:
            body = (body if body.endswith(",") else body + ",") + "\n" + ",\n".join(lines)
        new_entry = body + "\n}"
        self.texts[path] = text[:start] + new_entry + entry[len(entry.rstrip()) :] + text[end:]

    def validate(self, settings) -> None:
        """Raise `KbError` if the corpus with these changes would not pass `kb validate`."""
        from kb.build.builder import validate
        from kb.config import Settings

        corpus = settings.corpus
        with tempfile.TemporaryDirectory(prefix="kb-import-") as scratch:
            staged = Path(scratch) / "corpus"
            staged.mkdir()
            for bib in corpus_files(corpus)[0]:
                shutil.copy2(bib, staged / bib.name)
            for path, text in self.texts.items():
                (staged / path.name).write_text(text, encoding="utf-8")
            if (corpus / "claims").is_dir():
                os.symlink((corpus / "claims").resolve(), staged / "claims")
            try:
                validate(
                    Settings(
                        root=settings.root,
                        corpus_dir=staged,
                        ontology_dir=settings.ontology,
                        build_dir=Path(scratch) / "build",
                    )
                )
            except CorpusError as error:
                where = error.location
                shown = f"{corpus / where.path.name}:{where.line}: " if where and where.path.parent == staged else ""
                raise KbError(
                    f"the import would leave the corpus invalid, so nothing was written: {shown}{error.message}"
                ) from None
            except KbError as error:
                raise KbError(f"the import would leave the corpus invalid, so nothing was written: {error}") from None

    def write(self) -> list[Path]:
        for path, text in self.texts.items():
            write_text_atomic(path, text)
        return list(self.texts)


def _entry_span(text: str, key: str, line: int, path: Path) -> tuple[int, int]:
    """Character span of the entry `key` that starts on `line` (1-based), closing brace included."""
    offsets = [0]
    for chunk in text.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(chunk))
    start = offsets[line - 1] if 0 < line <= len(offsets) else -1
    if start < 0 or key not in text[start : start + 200 + len(key)]:
        found = text.find("{" + key + ",")
        start = text.rfind("@", 0, found) if found >= 0 else -1
    if start < 0:
        raise CorpusError(f"cannot find entry '{key}' to add fields to", Location(path, line))
    end = _closing_brace(text, text.index("{", start))
    if end < 0:
        raise CorpusError(f"entry '{key}' has no closing brace", Location(path, line))
    return start, end + 1


def _find_field(body: str, name: str) -> tuple[int, int] | None:
    """(start, position of the closing brace) of `name = {...}` in an entry body."""
    import re

    match = re.search(rf"(^|[,\s]){name}\s*=\s*\{{", body, re.M)
    if not match:
        return None
    end = _closing_brace(body, match.end() - 1)
    return (match.start(), end) if end >= 0 else None


def _closing_brace(text: str, open_at: int) -> int:
    """Index of the brace that closes the one at `open_at` (escaped braces do not count); -1 if none."""
    depth = 0
    for index in range(open_at, len(text)):
        if text[index] == "{" and text[index - 1] != "\\":
            depth += 1
        elif text[index] == "}" and text[index - 1] != "\\":
            depth -= 1
            if depth == 0:
                return index
    return -1
