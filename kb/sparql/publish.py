"""`kb publish`: load the built dataset into a SPARQL 1.1 Graph Store Protocol server.

One HTTP PUT per named graph (`?graph=<iri>`), which replaces that graph on the server and leaves
its other graphs alone, so publishing again is safe. Works with any GSP server: Oxigraph (`/store`),
Apache Jena Fuseki (`/<dataset>/data`), GraphDB (`/repositories/<repo>/rdf-graphs/service`).
After each PUT the graph is read back and compared triple for triple (the dataset has no blank
nodes, so set equality is exact).
"""

from __future__ import annotations

import base64
import io
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from kb.errors import KbError

_NTRIPLES = "application/n-triples"


@dataclass(frozen=True)
class PublishedGraph:
    graph: str
    triples: int
    status: int
    verified: bool | None  # None when verification was skipped


def publish(
    knowledge_base,
    endpoint: str,
    *,
    graphs: list[str] | None = None,
    user: str | None = None,
    password: str | None = None,
    timeout_s: float = 120.0,
    verify: bool = True,
) -> list[PublishedGraph]:
    """PUT each named graph of the build (or only `graphs`) to the GSP `endpoint`; returns what was sent."""
    import pyoxigraph

    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise KbError(
            f"'{endpoint}' is not an http(s) URL of a Graph Store Protocol endpoint "
            "(e.g. http://localhost:7878/store, http://localhost:3030/ds/data)"
        )
    store = knowledge_base.store
    available = sorted(g.value for g in store.named_graphs())
    chosen = graphs or available
    unknown = [g for g in chosen if g not in available]
    if unknown:
        raise KbError(f"no graph <{unknown[0]}> in the build (graphs: {', '.join(available)})")
    headers = {}
    if user:
        token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    published = []
    for graph in chosen:
        buffer = io.BytesIO()
        store.dump(buffer, pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.NamedNode(graph))
        data = buffer.getvalue()
        # N-Triples puts one triple on a line (newlines in literals are escaped), and a store holds
        # each triple of a graph once: the lines are the distinct triples sent, without parsing them.
        count = data.count(b"\n")
        target = _graph_url(endpoint, graph)
        status, _ = _request("PUT", target, data, {**headers, "Content-Type": _NTRIPLES}, timeout_s, graph)
        verified = None
        if verify:
            sent = set(pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_TRIPLES))
            _, body = _request("GET", target, None, {**headers, "Accept": _NTRIPLES}, timeout_s, graph)
            received = set(pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.N_TRIPLES))
            verified = received == sent
            if not verified:
                raise KbError(
                    f"graph <{graph}> reads back from {endpoint} with {len(received)} triples, "
                    f"not the {count} sent; the server may have changed it"
                )
        published.append(PublishedGraph(graph, count, status, verified))
    return published


def _graph_url(endpoint: str, graph: str) -> str:
    separator = "&" if urlsplit(endpoint).query else "?"
    return f"{endpoint}{separator}graph={quote(graph, safe='')}"


def _request(method: str, url: str, data: bytes | None, headers: dict, timeout_s: float, graph: str):
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        detail = (error.read() or b"").decode("utf-8", "replace").strip().splitlines()
        hint = ""
        if error.code in (401, 403):
            hint = (
                " (is it read-only, or does it need --user? kb publish needs a writable Graph Store "
                "endpoint: Oxigraph /store, Fuseki /<dataset>/data, GraphDB /repositories/<repo>/rdf-graphs/service)"
            )
        elif error.code in (404, 405):
            hint = " (is this the Graph Store Protocol endpoint, not the SPARQL query endpoint?)"
        raise KbError(
            f"{method} of graph <{graph}> to {url.split('?')[0]} failed: HTTP {error.code} "
            f"{detail[0][:200] if detail else error.reason}{hint}"
        ) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise KbError(f"cannot reach {url.split('?')[0]}: {reason}") from None


__all__ = ["publish", "PublishedGraph"]
