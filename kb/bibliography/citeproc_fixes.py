"""Three fixes to citeproc-py (0.11) that readers of its output notice, applied once before rendering.

1. A name variable used as a substitute for a missing author is printed again later in the same
   reference ("Gokhberg, L. (Ed.). (2015). Title (L. Gokhberg, Ed.)"); the CSL specification
   suppresses it for the rest of the reference. citeproc-py records the substitution but only
   `<text>` elements consult the record; here `<names>` do too. And a substitute inside a
   `<choose>` (as in Chicago) neither inherited the name options and label of the `<names>` it
   stands in for ("L. Gokhberg. 2012. ... Edited by L. Gokhberg.") nor was recorded; now it is.
2. `text-case="title"` on a label is skipped because citeproc-py asks for the *item's* language,
   which a label has none of, giving APA's "(eds.)" instead of "(Eds.)"; labels are terms of the
   style's locale, so the style's language decides.
3. A hyphenated given name with a lower-case second part ("Wai-chung") is initialised as
   "W.-. chung ." (the part is taken for a particle); it becomes "W.-c.", as citeproc-js does.
4. Name labels are part of citeproc-py's sort keys, so "Gokhberg, L. (2015)" sorts before
   "Gokhberg, L. (Ed.). (2012)"; sort keys are names only, as in the CSL specification and
   citeproc-js, and the same author's works fall into year order.
5. A number counts as plural when any two digits have a non-digit between them, giving
   "Nos. COM(2010) 553 final"; the CSL rule is two numbers joined by "-", "&", "," or "and".
6. `text-case="title"` re-capitalises titles ("Regional Policy contributing to smart growth in
   Europe 2020" -> "Regional Policy Contributing to Smart Growth ..."). The corpus records every
   title in the case it was published in (a proper name or an acronym a style cannot recognise
   stays right only then), so title variables keep their recorded case in every style; labels and
   terms are still title-cased where a style asks.

Each fix replaces one method and keeps the original's behaviour otherwise; tests in
tests/test_export_formatting.py show each bug fixed on a real record.
"""

from __future__ import annotations

import re
import threading

_applied = False
_lock = threading.Lock()


def apply() -> None:
    global _applied
    with _lock:
        if _applied:
            return
        from citeproc import model

        _suppress_substituted_names(model)
        _title_case_labels(model)
        _initialise_hyphenated_parts(model)
        _names_only_in_sort_keys(model)
        _plural_by_csl_rule(model)
        _titles_in_recorded_case(model)
        _applied = True


# (the `<names>` a `<substitute>` stands in for, variables of the names rendered inside it)
_substituting: list[tuple[object, list[str]]] = []


def _suppress_substituted_names(model) -> None:
    original = model.Names.process

    def process(self, item, names_context=None, context=None, **kwargs):
        if names_context is None and _substituting and self.name is None:
            names_context = _substituting[-1][0]  # a substitute nested in <choose> inherits too
        text = _process(self, item, names_context=names_context, context=context, **kwargs)
        if text and _substituting:
            _substituting[-1][1].append(self.get("variable"))
        return text

    def _process(self, item, names_context=None, context=None, **kwargs):
        layout = (context if context is not None else self).get_layout()
        repressed = {role for variables in layout.repressed.get(self.tag, []) for role in (variables or "").split()}
        roles = self.get("variable").split()
        keep = [role for role in roles if role not in repressed]
        if keep == roles:
            return original(self, item, names_context=names_context, context=context, **kwargs)
        if not keep:
            return None
        self.set("variable", " ".join(keep))
        try:
            return original(self, item, names_context=names_context, context=context, **kwargs)
        finally:
            self.set("variable", " ".join(roles))

    def substitute(self, item, context=None, **kwargs):
        names = self.xpath_search("./parent::cs:names[1]")[0]
        _substituting.append((names, []))
        try:
            for child in self.getchildren():
                del _substituting[-1][1][:]
                try:
                    if isinstance(child, model.Names) and child.name is None:
                        text = child.render(item, names_context=names, context=context, **kwargs)
                    else:
                        text = child.render(item, context=context, **kwargs)
                except model.VariableError:
                    continue
                if text:
                    layout = (context if context is not None else self).get_layout()
                    for variables in _substituting[-1][1]:
                        layout.repressed.setdefault(names.tag, []).append(variables)
                    if not isinstance(child, model.Names):
                        self.add_to_repressed_list(child, context if context is not None else self)
                    return text
            return None
        finally:
            _substituting.pop()

    model.Names.process = process
    model.Substitute.render = substitute


def _title_case_labels(model) -> None:
    def markup(self, text):
        if not text:
            return None
        locale = self.get_root().get("default-locale", "en-US") or "en-US"
        return self.wrap(self.format(self.case(self.strip_periods(text), locale[:2])))

    model.Label.markup = markup


def _initialise_hyphenated_parts(model) -> None:
    def initialize(self, given, mark, context):
        if self.get_option("initialize-with-hyphen", context):
            hyphen_parts = given.split("-")
        else:
            hyphen_parts = [given.replace("-", " ")]
        result_parts = []
        for index, hyphen_part in enumerate(hyphen_parts):
            parts = hyphen_part.replace(".", " ").split()
            result, group = "", []
            for position, part in enumerate(parts):
                # After a hyphen, the first word is a name part even in lower case ("Wai-chung").
                if part[0].isupper() or (index > 0 and position == 0):
                    group.append(part[0])
                else:  # a particle ("de"): kept whole
                    result += mark.join(group) + mark + " " + part + " " if group else part + " "
                    group = []
            if group:
                result += mark.join(group) + mark
            result_parts.append(" ".join(result.split()))
        return "-".join(result_parts)

    model.Name.initialize = initialize


_sorting: list[bool] = []


def _names_only_in_sort_keys(model) -> None:
    process = model.Names.process  # already wrapped by _suppress_substituted_names
    sort_keys = model.Key.sort_keys

    def keys(self, items, context):
        # citeproc-py does not pass its sort options through <text macro="...">: flag the sorting.
        _sorting.append(True)
        try:
            return sort_keys(self, items, context)
        finally:
            _sorting.pop()

    def without_label(self, item, names_context=None, context=None, **kwargs):
        if not _sorting:
            return process(self, item, names_context=names_context, context=context, **kwargs)
        holder = names_context if names_context is not None else self
        label = holder.find("cs:label", holder.nsmap)
        if label is None:
            return process(self, item, names_context=names_context, context=context, **kwargs)
        index = holder.index(label)
        holder.remove(label)
        try:
            return process(self, item, names_context=names_context, context=context, **kwargs)
        finally:
            holder.insert(index, label)

    model.Names.process = without_label
    model.Key.sort_keys = keys


_PLURAL = re.compile(r"\d+\s*(?:[-–&,]|\band\b)\s*\d+")


def _plural_by_csl_rule(model) -> None:
    original = model.Label._is_plural

    def is_plural(self, item):
        variable = self.get("variable")
        if variable in (None, "locator") or variable.startswith("number-of"):
            return original(self, item)
        try:
            value = item.reference[variable.replace("-", "_")]
        except model.VariableError:
            return False
        return bool(_PLURAL.search(str(value)))

    model.Label._is_plural = is_plural


_TITLE_VARIABLES = {
    "title",
    "title-short",
    "container-title",
    "container-title-short",
    "collection-title",
    "original-title",
    "reviewed-title",
    "volume-title",
}


def _titles_in_recorded_case(model) -> None:
    original = model.Text.process

    def process(self, item, context=None, **kwargs):
        text, language = original(self, item, context=context, **kwargs)
        if self.get("text-case") == "title" and self.get("variable") in _TITLE_VARIABLES:
            language = "und"  # citeproc-py title-cases English items only: this one keeps its case
        return text, language

    model.Text.process = process
