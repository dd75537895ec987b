"""YAML with line numbers: plain Python values plus the line each one started on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kb.errors import CorpusError, Location

# libyaml's parser when available (about 10x faster); both keep line marks.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Located:
    """A YAML value and the 1-based line where it starts."""

    value: Any
    line: int

    def plain(self) -> Any:
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        return self.value


def read_yaml(path: Path) -> Located:
    """Parse a YAML file into `Located` values; syntax errors, duplicate keys and anchors name the line.

    Anchors and aliases (`&a`, `*a`) are refused: a claims file has no use for them, and a few lines
    of nested aliases expand into gigabytes (the "billion laughs"), or into a loop when an alias
    names the node that holds it.
    """
    try:
        text = path.read_text(encoding="utf-8")
        _refuse_aliases(text, path)
        node = yaml.compose(text, Loader=_COMPOSER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        problem = error.problem or error.context or "syntax error"
        raise CorpusError(f"YAML syntax error: {problem}", Location(path, line)) from None
    except UnicodeDecodeError as error:
        raise CorpusError(f"not UTF-8 text ({error.reason})", Location(path)) from None
    if node is None:
        return Located({}, 1)
    return _convert(node, path, yaml.SafeLoader(""))


def _refuse_aliases(text: str, path: Path) -> None:
    for event in yaml.parse(text, Loader=_COMPOSER):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            what = f"alias '*{event.anchor}'" if isinstance(event, yaml.AliasEvent) else f"anchor '&{event.anchor}'"
            raise CorpusError(
                f"YAML {what} is not allowed in corpus files: write the value out",
                Location(path, event.start_mark.line + 1),
            )


def _convert(node: yaml.Node, path: Path, loader: yaml.SafeLoader) -> Located:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Located] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, path, loader)
            if key in result:
                raise CorpusError(f"key '{key}' appears twice", Location(path, key_node.start_mark.line + 1))
            result[str(key)] = _convert(value_node, path, loader)
        return Located(result, line)
    if isinstance(node, yaml.SequenceNode):
        return Located([_convert(item, path, loader) for item in node.value], line)
    return Located(_scalar(node, path, loader), line)


def _scalar(node: yaml.Node, path: Path, loader: yaml.SafeLoader) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise CorpusError("expected a plain value here", Location(path, node.start_mark.line + 1))
    try:
        return loader.construct_object(node)
    except yaml.constructor.ConstructorError as error:
        raise CorpusError(f"bad value: {error.problem}", Location(path, node.start_mark.line + 1)) from None
