"""Errors of the SPARQL read path; each is a `KbError`, so the CLI prints one line and exits 1."""

from __future__ import annotations

from kb.errors import KbError


class QueryError(KbError):
    """A query that cannot be answered as asked."""


class QuerySyntaxError(QueryError):
    """A malformed query: the parser's message with the 1-based line and column it stopped at."""

    def __init__(self, message: str, line: int = 0, column: int = 0, text_line: str = ""):
        self.message = message
        self.line = line
        self.column = column
        self.text_line = text_line  # the offending line of the query, for a caret display
        where = f" at line {line}, column {column}" if line else ""
        near = f" (near: {text_line.strip()[:60]!r})" if text_line.strip() else ""
        super().__init__(f"SPARQL syntax error{where}: {message}{near}")


class QueryRefused(QueryError):
    """A query the read-only path will not run: an update, a SERVICE call or an outside dataset."""

    def __init__(self, message: str, reason: str):
        self.reason = reason  # "update" | "service" | "dataset"
        super().__init__(message)


class QueryTimeout(QueryError):
    """The query ran past its time limit and was stopped."""


class QueryFailed(QueryError):
    """The engine failed while evaluating (out of memory, a runtime error in the query)."""
