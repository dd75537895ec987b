"""Errors of the bibliography package; each says how to fix the problem and lists the valid choices."""

from __future__ import annotations

import difflib

from kb.errors import KbError


class UnknownFormatError(KbError):
    def __init__(self, name: str, choices: tuple[str, ...], what: str = "export format"):
        self.name, self.choices = name, choices
        super().__init__(f"unknown {what} '{name}' (use one of: {', '.join(choices)})")


class UnknownStyleError(KbError):
    def __init__(self, name: str, featured: tuple[str, ...], all_ids: list[str]):
        self.name = name
        close = difflib.get_close_matches(name, all_ids, n=5, cutoff=0.6)
        hint = f"; did you mean: {', '.join(close)}?" if close else ""
        super().__init__(
            f"unknown CSL style '{name}' (use one of: {', '.join(featured)}, any of the {len(all_ids)} "
            f"style ids listed by `kb export --list-styles`, or a path to a .csl file{hint})"
        )


class StyleFileError(KbError):
    """A .csl file that cannot be used: not found, not XML, not a CSL style, no bibliography."""


class SelectionError(KbError):
    """A selection that names something the knowledge base does not have."""

    @classmethod
    def unknown_keys(cls, missing: list[str], known: list[str]) -> SelectionError:
        hints = []
        for key in missing:
            close = difflib.get_close_matches(key, known, n=3, cutoff=0.6)
            hints.append(f"'{key}'" + (f" (did you mean {', '.join(close)}?)" if close else ""))
        return cls(
            f"unknown citation key{'s' if len(missing) > 1 else ''}: {', '.join(hints)} "
            f"(the corpus has {len(known)} sources; see `kb export --format csl-json` for their keys)"
        )


class ImportFileError(KbError):
    """A file that cannot be imported as a whole (unreadable, unknown kind, or refused by --strict)."""
