"""A theme's neighbourhood as a Graphviz DOT picture: the theme, its broader/narrower/related
themes, its claims (grouped by source) and how they support or dispute each other."""

from __future__ import annotations

import textwrap

from kb.browse.evidence import Evidence, short_citation

_COLOURS = {"supports": "#2e7d32", "disputes": "#c62828", "extends": "#1565c0"}


def neighbourhood_dot(evidence: Evidence, theme_id: str, max_claims: int = 24, language: str = "en") -> str:
    theme = evidence.theme(theme_id)
    claims = evidence.claims_on(theme_id)[:max_claims]
    shown = {c.id for c in claims}
    lines = [
        "digraph neighbourhood {",
        '  graph [rankdir=LR, compound=true, fontname="Helvetica", fontsize=11, nodesep=0.25, ranksep=0.6];',
        '  node [fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9, color="#888888"];',
        f'  "t:{theme_id}" [label={_q(theme.label(language))}, shape=ellipse, style="filled,bold", fillcolor="#ffe082"];',
    ]
    for kind, others in (("broader", theme.broader), ("narrower", theme.narrower), ("related", theme.related)):
        for other in others:
            lines.append(
                f'  "t:{other}" [label={_q(evidence.theme_label(other, language))}, shape=ellipse, '
                f'style=filled, fillcolor="#fff8e1"];'
            )
            ends = (f'"t:{theme_id}"', f'"t:{other}"') if kind != "broader" else (f'"t:{other}"', f'"t:{theme_id}"')
            style = "dashed" if kind == "related" else "solid"
            lines.append(
                f"  {ends[0]} -> {ends[1]} [label={_q(kind if kind == 'related' else 'narrower')}, style={style}];"
            )
    for source_key in dict.fromkeys(c.source_key for c in claims):
        source = evidence.corpus.sources[source_key]
        lines.append(f'  subgraph "cluster_{source_key}" {{')
        lines.append(
            f'    label={_q(short_citation(source, latin=language != "ru"))}; style="rounded"; color="#90a4ae";'
        )
        for claim in (c for c in claims if c.source_key == source_key):
            text = claim.text.get(language) or claim.text["en"]
            lines.append(
                f'    "c:{claim.id}" [label={_q(_wrap(text))}, shape=box, style="rounded,filled", '
                f'fillcolor="#e3f2fd", tooltip={_q(claim.id)}];'
            )
        lines.append("  }")
        first = next(c for c in claims if c.source_key == source_key)
        count = sum(1 for c in claims if c.source_key == source_key)
        lines.append(
            f'  "t:{theme_id}" -> "c:{first.id}" [lhead="cluster_{source_key}", style=dotted, '
            f"arrowhead=none, label={_q(f'{count} claim' + ('s' if count != 1 else ''))}];"
        )
    for origin, relation, target in evidence.relations_among(shown):
        if origin in shown and target in shown:
            lines.append(
                f'  "c:{origin}" -> "c:{target}" [label={_q(relation)}, color="{_COLOURS[relation]}", '
                f'fontcolor="{_COLOURS[relation]}", penwidth=1.6];'
            )
    lines.append("}")
    return "\n".join(lines)


def _wrap(text: str, width: int = 38, max_lines: int = 4) -> str:
    lines = textwrap.wrap(text, width)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(".,;") + " …"
    return "\n".join(lines)


def _q(text: str) -> str:
    """A DOT string literal: quotes and backslashes escaped, newlines as centred line breaks."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
