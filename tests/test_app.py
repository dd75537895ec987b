"""Every page of the Streamlit app, run with AppTest against a real build."""

from __future__ import annotations

from conftest import ROOT
from streamlit.testing.v1 import AppTest

from kb.build.builder import build

APP = str(ROOT / "app" / "streamlit_app.py")


def _page(monkeypatch, settings, page: str, **params) -> AppTest:
    monkeypatch.setenv("KB_ROOT", str(settings.root))
    monkeypatch.setenv("KB_BUILD_DIR", str(settings.build))
    app = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        app.query_params[key] = value
    app.switch_page(f"app_pages/{page}.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _markdown(app: AppTest) -> str:
    """Everything shown as Markdown or caption, with the escaping backslashes removed."""
    return "\n".join(m.value for m in [*app.markdown, *app.caption]).replace("\\", "")


def test_theme_index_lists_the_hierarchy(monkeypatch, real_project, real_kb):
    app = _page(monkeypatch, real_project, "themes")
    assert app.title[0].value == "Themes"
    listed = [(link.proto.query_string.removeprefix("id="), link.proto.label) for link in app.get("page_link")]
    assert len(listed) >= len(real_kb.themes) and {theme for theme, _ in listed} >= set(real_kb.themes)
    position = next(i for i, (theme, _) in enumerate(listed) if theme == "local-buzz")
    label = listed[position][1]
    assert label.startswith("\u2003Local buzz") and not label.startswith("\u2003\u2003")  # one level down
    parent = next(label for _, label in reversed(listed[:position]) if not label.startswith("\u2003"))
    assert parent.startswith("Knowledge flows")


def test_theme_page_lists_its_claims(monkeypatch, real_project):
    app = _page(monkeypatch, real_project, "themes", id="local-buzz")
    assert app.title[0].value == "Local buzz"
    text = _markdown(app)
    assert "Buzz" in text and "learning" in text  # Bathelt et al.'s local-buzz claim
    assert app.query_params["id"] == ["local-buzz"] or app.query_params["id"] == "local-buzz"


def test_unknown_theme_is_an_error_message_not_a_crash(monkeypatch, real_project):
    app = _page(monkeypatch, real_project, "themes", id="no-such-theme")
    assert "no-such-theme" in app.error[0].value.replace("\\", "")


def test_source_page_shows_record_and_claims(monkeypatch, real_project):
    app = _page(monkeypatch, real_project, "source", key="coe2004globalizing")
    text = _markdown(app)
    assert "Transactions of the Institute of British Geographers" in text
    assert "Transitions" in text  # the correction note is shown
    assert any("Claims" in s.value for s in app.subheader)


def test_claim_page_shows_provenance_and_relations(monkeypatch, real_project):
    app = _page(monkeypatch, real_project, "claim", id="bathelt2004clusters-local-buzz")
    text = _markdown(app)
    assert "Curated by" in text and "disputes" in text


def test_evidence_map_marks_gaps(monkeypatch, real_project):
    app = _page(monkeypatch, real_project, "evidence_map")
    table = app.dataframe[0].value
    assert table.shape[1] == 7 and table.shape[0] >= 30
    assert (table == "—").to_numpy().any()


def test_evidence_map_cell_from_url_lists_claims(monkeypatch, real_project):
    app = _page(monkeypatch, real_project, "evidence_map", row="death-of-distance", col="conceptual")
    assert "Death of distance" in app.subheader[0].value
    assert "Cairncross, Frances (1997). *The Death of Distance*" in _markdown(app)


def test_graph_page_renders(monkeypatch, real_project):
    app = _page(monkeypatch, real_project, "graph", theme="local-buzz")
    assert app.selectbox(key="graph_theme").value == "local-buzz"
    drawn = app.get("graphviz_chart")[0].proto.spec
    assert 'label="Local buzz"' in drawn and '"t:knowledge-flows"' in drawn  # the theme and its broader theme
    assert '"c:bathelt2004clusters-local-buzz"' in drawn


def test_corpus_text_cannot_inject_markup(monkeypatch, tiny_project):
    claims = tiny_project.corpus / "claims" / "testorg2010policy.yaml"
    claims.write_text(
        claims.read_text().replace(
            "en: Regional strategies should connect local assets to global knowledge networks.",
            'en: "<script>alert(1)</script> **bold** [link](javascript:alert(1)) ![img](http://example.org/x.png)"',
        )
    )
    build(tiny_project)
    app = _page(monkeypatch, tiny_project, "claim", id="testorg2010policy-connectivity")
    rendered = [m.value for m in app.markdown if "script" in m.value]
    assert rendered, "the claim text is shown"
    for value in rendered:
        assert (
            "\\<script\\>" in value
            and "\\*\\*bold\\*\\*" in value
            and "\\[link\\]" in value
            and "\\!\\[img\\]" in value
        )


def test_search_returns_the_expected_claim(monkeypatch, real_project):
    app = _page(monkeypatch, real_project, "search", q="buzz and pipelines in clusters")
    assert app.subheader[0].value.startswith("Results for")
    assert "buzz" in _markdown(app).lower() and "Bathelt" in _markdown(app)


def test_russian_search_with_filters_from_the_url(monkeypatch, real_project):
    app = _page(monkeypatch, real_project, "search", q="рейтинг инновационного развития регионов", lang="ru")
    text = _markdown(app)
    assert "Рейтинг инновационного развития" in text or "рейтинг" in text.lower()
    assert "Bathelt" not in text  # the language filter keeps only Russian-language sources


def test_empty_search_invites_a_question(monkeypatch, real_project):
    app = _page(monkeypatch, real_project, "search")
    assert "Type a question" in app.info[0].value


def test_sparql_console_runs_a_named_query(monkeypatch, real_project):
    app = _page(monkeypatch, real_project, "sparql", name="evidence-gaps")
    app.button(key="sparql_run").click().run()
    assert not app.exception and not app.error
    assert app.dataframe and len(app.dataframe[0].value) > 0


def test_sparql_console_refuses_an_update(monkeypatch, real_project):
    app = _page(monkeypatch, real_project, "sparql")
    app.text_area(key="sparql_text").set_value("DELETE WHERE { ?s ?p ?o }")
    app.button(key="sparql_run").click().run()
    assert len(app.error) == 1 and "refused: the knowledge base is read-only" in app.error[0].value
    assert not app.dataframe


def test_export_page_previews_bibtex_of_a_theme(monkeypatch, real_project):
    app = _page(monkeypatch, real_project, "export", by="theme", theme="local-buzz", format="bibtex")
    preview = app.code[0].value
    assert "@article{bathelt2004clusters," in preview
    assert "sources." in app.caption[0].value


def test_source_page_cites_in_gost(monkeypatch, real_project):
    app = _page(monkeypatch, real_project, "source", key="islankina2014theoretical", style="gost-r-7-0-5-2008")
    assert "Исланкина" in _markdown(app)


def test_russian_texts_from_the_url(monkeypatch, real_project):
    app = _page(monkeypatch, real_project, "themes", id="local-buzz", ui="ru")
    assert app.title[0].value == "Локальный шум"
    assert app.query_params["ui"] in ("ru", ["ru"])


def test_claim_cards_show_basis_and_review_status(monkeypatch, real_project, real_kb):
    app = _page(monkeypatch, real_project, "themes", id="death-of-distance")
    text = _markdown(app)
    cairncross = real_kb.corpus.claims_of("cairncross1997death")
    # Cairncross's claims rest on reviews (secondary) or on the curator's recollection; none is reviewed yet.
    assert {c.based_on for c in cairncross} == {"secondary", "recollection"}
    assert "Secondary account" in text and "Curator's recollection" in text
    assert "draft, not reviewed" in text and "reviewed by" not in text
