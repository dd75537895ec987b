"""Token features for the sequence labeller: the token itself, its shape and neighbours, and the
skeleton the rules found (`kb.refs.skeleton`)."""

from __future__ import annotations

import re

from kb.refs.skeleton import (
    ACCESS_WORDS,
    DASHES,
    ISSUE_WORDS,
    PAGE_WORDS,
    URL_WORDS,
    VOLUME_WORDS,
    YEAR,
    Skeleton,
    analyse,
    is_initial,
)
from kb.refs.tokens import Token
from kb.script import has_cyrillic, has_latin

# Cities that publish much of what these lists cite (a gazetteer feature, both scripts and the usual
# transliterations); the labeller still decides from context.
PLACE_WORDS = set(
    """м мн спб л к н новгород москва санкт петербург ленинград новосибирск екатеринбург казань
томск омск самара саратов воронеж ростов дону нижний краснодар уфа пермь челябинск красноярск иркутск
хабаровск владивосток белгород тула ярославль киев харьков минск алматы ташкент
moscow moskva moskow petersburg peterburg sankt st novosibirsk ekaterinburg yekaterinburg kazan tomsk omsk
samara saratov voronezh rostov khabarovsk vladivostok belgorod kiev kyiv kharkov minsk london paris new york
ny cambridge oxford berlin boston amsterdam washington chicago cham heidelberg dordrecht basingstoke stuttgart
karlsruhe vienna wien geneva brussels luxembourg rome milan madrid barcelona lisbon copenhagen stockholm
helsinki oslo warsaw prague budapest athens tokyo beijing singapore sydney melbourne toronto montreal
princeton berkeley stanford philadelphia baltimore cheltenham abingdon hoboken thousand oaks los angeles
san francisco edinburgh manchester laxenburg lanham englewood cliffs detroit grand rapids
хабаровск калининград бишкек вязьма ижевск свердловск ставрополь дубна пушкино иваново курск волгоград
habarovsk khabarovsk kaliningrad irkutsk yaroslavl volgograd leiden albany champaign geneva""".split()
)
PUBLISHER_WORDS = {
    "press",
    "publishing",
    "publ",
    "изд",
    "издательство",
    "наука",
    "university",
    "books",
    "springer",
    "elsevier",
    "wiley",
    "routledge",
    "юрайт",
    "инфра",
    "infra",
    "prospekt",
    "проспект",
    "дом",
    "house",
    "academic",
    "sage",
    "mit",
    "oecd",
    "издательский",
    "изд-во",
    "verlag",
    "izdatel",
    "izdatelstvo",
    "izd",
    "tipografiya",
    "типография",
    "knizhnoe",
    "книжное",
}
CONTAINER_WORDS = {
    "journal",
    "вестник",
    "vestnik",
    "review",
    "известия",
    "izvestiya",
    "proceedings",
    "bulletin",
    "журнал",
    "zhurnal",
    "вопросы",
    "voprosy",
    "economics",
    "экономика",
    "ekonomika",
    "research",
    "studies",
    "материалы",
    "конференции",
    "conference",
    "сборник",
    "trudy",
    "труды",
    "in",
}


def shape(text: str) -> str:
    s = re.sub(r"[A-ZА-ЯЁ]", "X", text)
    s = re.sub(r"[a-zа-яё]", "x", s)
    s = re.sub(r"\d", "d", s)
    return re.sub(r"(.)\1{2,}", r"\1\1", s)


def token_features(
    tokens: list[Token], skeleton: Skeleton | None = None, with_skeleton: bool = True
) -> list[list[str]]:
    skeleton = skeleton or analyse(tokens)
    n = len(tokens)
    lower = [t.text.lower() for t in tokens]
    years = [i for i, t in enumerate(tokens) if YEAR.match(t.text)]
    rows = []
    for i, token in enumerate(tokens):
        text, w = token.text, lower[i]
        following = tokens[i + 1] if i + 1 < n else None
        f = [
            "bias",
            f"w={w}",
            f"shape={shape(text)}",
            f"kind={token.kind}",
            f"len={min(len(text), 8)}",
            f"pos={min(10, int(10 * i / max(n, 1)))}",
        ]
        if has_cyrillic(text):
            f.append("cyr")
        elif has_latin(text):
            f.append("lat")
        if text.isdigit():
            f.append("digit")
            if YEAR.match(text):
                f.append("yearlike")
                # Which of the year-like numbers: the last one is seldom inside a title ("Зодчие (1858–2013)").
                f.append(
                    "year="
                    + ("only" if len(years) == 1 else "first" if i == years[0] else "last" if i == years[-1] else "mid")
                )
                if i > 0 and tokens[i - 1].text == "(" or i + 1 < n and tokens[i + 1].text in ("–", "-", "—"):
                    f.append("year_range_or_paren")
        if text[:1].isupper():
            f.append("cap")
        if text.isupper() and len(text) > 1:
            f.append("allcaps")
        if is_initial(token, following):
            f.append("initial")
        if w in VOLUME_WORDS:
            f.append("kw=vol")
        if w in ISSUE_WORDS:
            f.append("kw=iss")
        if w in PAGE_WORDS:
            f.append("kw=page")
        if w in URL_WORDS:
            f.append("kw=url")
        if w in ACCESS_WORDS:
            f.append("kw=access")
        if w in PLACE_WORDS:
            f.append("kw=place")
        if w in PUBLISHER_WORDS:
            f.append("kw=publisher")
        if w in CONTAINER_WORDS:
            f.append("kw=container")
        if text in DASHES:
            f.append("dash")
        if i == 0:
            f.append("BOS")
        if i == n - 1:
            f.append("EOS")
        space_before = i == 0 or tokens[i - 1].end < token.start
        f.append(f"sp={int(space_before)}")
        for offset in (-2, -1, 1, 2):
            j = i + offset
            if 0 <= j < n:
                f.append(f"{offset}:w={lower[j]}")
                f.append(f"{offset}:shape={shape(tokens[j].text)}")
            else:
                f.append(f"{offset}:none")
        if i > 0:
            f.append(f"bi={lower[i - 1]}|{w}")
        if with_skeleton:
            f += [f"ds={skeleton.double_slash[i]}", f"area={skeleton.area[i]}", f"sent={skeleton.sentence[i]}"]
            if skeleton.after_slash[i]:
                f.append("resp")
            if skeleton.paren[i]:
                f.append("paren")
            if skeleton.bracket[i]:
                f.append("bracket")
            if skeleton.quote[i]:
                f.append("quote")
            if skeleton.lead_names[i]:
                f.append("lead")
            if skeleton.hint[i]:
                f.append(f"hint={skeleton.hint[i]}")
            f.append(f"ds_area={skeleton.double_slash[i]}|{skeleton.area[i]}")
        rows.append(f)
    return rows
