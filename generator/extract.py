"""Stage 3, extract: CleanArticle + its spaCy analysis -> Article (who, where, when, who said what)."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date as Date
from typing import TYPE_CHECKING

from generator.model import Article, Block, CleanArticle, DateEvidence, Entity, Mention, Sentence
from generator.nlp import sentence_spans
from generator.quotes import Named, find_quotes
from generator.text import cut_at_word, markdown_to_plain, normalize_space

if TYPE_CHECKING:
    from spacy.tokens import Doc

PARAGRAPH_SEPARATOR = "\n\n"
KIND_OF_LABEL = {
    "PERSON": "person",
    "ORG": "organization",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "NORP": "group",
    "EVENT": "event",
}
HONOURS = frozenset(["QC", "KC", "MP", "MEP", "OBE", "MBE", "CBE", "KBE", "PhD", "MD"])
"""Letters after a name: 'Jonathan Rees QC' is Jonathan Rees."""
PLACE_WORDS = frozenset(
    [
        "church",
        "cathedral",
        "mosque",
        "temple",
        "center",
        "centre",
        "arena",
        "stadium",
        "hotel",
        "hall",
        "camp",
        "house",
        "road",
        "street",
        "avenue",
        "square",
        "airport",
        "station",
        "bridge",
        "park",
        "hospital",
        "clinic",
        "prison",
        "palace",
        "tower",
        "building",
        "crescent",
        "drive",
        "lane",
        "",
    ]
)
"""Last words that make a name a place, whatever label spaCy gave it (a court is an organisation)."""
ORGANIZATION_WORDS = frozenset(["party", "athletic", "rovers", "wanderers", "albion", "hotspur", "fc", "afc", "united"])
"""Last words that make a name an organisation: 'Labour Party', 'Wigan Athletic'."""
COURT_TYPES = frozenset(
    ["high", "supreme", "superior", "crown", "magistrates", "district", "county", "appeals", "federal", "family"]
)
"""'Ipswich Crown Court' is a court of law, an organisation; 'Bay View Court' is a building."""
EVENT_WORDS = frozenset(
    ["attack", "attacks", "bombing", "bombings", "massacre", "scandal", "festival", "championship", "tournament"]
)
"""Last words that make a name an event: 'Paris attacks', 'Hebridean Celtic Festival'."""
_EVENT_AFTER = re.compile(r" (?:attacks?|bombings?|massacre|scandal|festival)\b")
_PLACE_BEFORE = re.compile(
    r"\b(?:(?:in|near|outside|(?:city|cities|town|towns|village|county) of)\s+(?:the\s+)?|at the\s+)$"
)
_PLACE_NOUN_AFTER = re.compile(
    r"\s+(?:[a-z]+\s+)?(?:hall|hotel|buildings?|camp|stadium|arena|church|square|airport|station)\b"
)
_NAME_AFTER = re.compile(r" ([A-Z][a-z]+)(?: [A-Z][a-z]+| of(?: the)? [A-Z][a-z]+)*")
"""Capitalised words after a nationality that make it a body's name: 'South Korean Joint Chiefs of Staff'."""
_PLACE_AFTER = re.compile(r" ([Cc]ounty|Gardens|Heights|Valley|Beach|Springs|Islands?)\b")
"""'Los Angeles county', 'Hawaiian Gardens': the word after a name that makes it a longer place name."""
_PERSON_BEFORE = re.compile(
    r"\b(?:student|son|daughter|wife|husband|brother|sister|mother|father|friend|girl|boy|man|woman|"
    r"member|chef|reporter|guitarist|singer|player|defender|striker|goalkeeper|colleague|owner|"
    r"counsel|councillor|director|inspector|officer|actress|actor),?\s+$"
)
"""A word for a person just before a name ('another student, Sirisha'): the name is a person's."""
_KNOWN_AS = re.compile(r"\b(?:known as|nicknamed|dubbed|moniker)\b[^.]{0,40}$")
_SMALL_WORDS = frozenset(["and", "of", "the", "for", "&", "on", "in"])
_COMMON_PLURAL = re.compile(r"^[A-Z]{2,}s$")
"""'MPs', 'ISPs': a plural of an abbreviation is a common noun."""
_HONORIFIC = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Prof|Sir|Dame|Lord|Lady|Baroness|Baron)\.? (?:Justice )?"
    r"(?P<name>[A-Z][\w’'-]*[a-z][\w’'-]*(?: [A-Z][\w’'-]*[a-z][\w’'-]*)*)"
)
"""A person named with an honorific, whatever spaCy made of it: 'Lib Dem Lord Oates' is Oates."""
# Words that name a role, not a person: stripped from the front of a name.
TITLE_WORDS = frozenset(
    [
        "president",
        "vice",
        "prime",
        "minister",
        "foreign",
        "defense",
        "defence",
        "secretary",
        "leader",
        "dictator",
        "chairman",
        "chairwoman",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "general",
        "gen",
        "gen.",
        "brig",
        "brig.",
        "lt",
        "lt.",
        "col",
        "col.",
        "sen",
        "sen.",
        "senator",
        "rep",
        "rep.",
        "representative",
        "governor",
        "gov",
        "gov.",
        "mayor",
        "king",
        "queen",
        "prince",
        "princess",
        "pope",
        "dr",
        "dr.",
        "mr",
        "mr.",
        "mrs",
        "mrs.",
        "ms",
        "ms.",
        "prof",
        "prof.",
        "professor",
        "judge",
        "justice",
        "ambassador",
        "chancellor",
        "chief",
        "commander",
        "admiral",
        "adm",
        "adm.",
        "sgt",
        "sgt.",
        "captain",
        "capt",
        "capt.",
        "major",
        "maj",
        "maj.",
        "minister's",
        "deputy",
        "supreme",
        "former",
        "acting",
        "late",
        "the",
        "lord",
        "lady",
        "baroness",
        "baron",
        "sir",
        "dame",
        "earl",
        "duke",
        "councillor",
        "inspector",
        "detective",
        "sergeant",
        "officer",
        "coach",
        "manager",
        "striker",
        "midfielder",
        "defender",
        "goalkeeper",
        "star",
        "singer",
        "actor",
        "actress",
    ]
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_DATE_IN_TEXT = re.compile(
    r"\b(?P<month>jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+"
    r"(?P<year>(?:19|20)\d{2})\b",
    re.IGNORECASE,
)
_DAY_FIRST_DATE = re.compile(
    r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?P<month>jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?,?\s+"
    r"(?P<year>(?:19|20)\d{2})\b",
    re.IGNORECASE,
)
_ISO_DATE = re.compile(r"\b((?:19|20)\d{2})-(\d{2})-(\d{2})\b")
_COPYRIGHT_LINE = re.compile(r"^(?:©|\(c\)|copyright)\s*(?:(?P<year>(?:19|20)\d{2})\s*)?(?P<name>[^|.]*)", re.I)
_READ_MORE = re.compile(r"\bread more (?:from|at|on)\s+(?:the\s+)?(?P<name>[\w .&'’-]+?)\s*$", re.IGNORECASE)
_DATELINE = re.compile(r"^(?P<place>[A-Z][A-Z.'’ -]{1,40}?(?:, [A-Z][A-Za-z.]+)?)\s*(?:\([^)]*\)\s*)?[—–]\s")
_NAME = re.compile(r"^[A-Z][\w'’.-]+(?: (?:[A-Z][\w'’.-]+|de|van|von|al|bin|da|del|la))+$")


@dataclass(frozen=True, slots=True)
class Aliases:
    """Other names -> canonical name, from the shipped table and the project's aliases.yml."""

    canonical: Mapping[str, str]

    def resolve(self, name: str) -> str:
        return self.canonical.get(name, self.canonical.get(name.lower(), name))


def build_aliases(*tables: Mapping[str, list[str]]) -> Aliases:
    """Later tables win: an alias they list moves to their canonical name."""
    mapping: dict[str, str] = {}
    for table in tables:
        for canonical, others in table.items():
            for other in [canonical, *(others or [])]:
                mapping[str(other)] = str(canonical)
                mapping.setdefault(str(other).lower(), str(canonical))
    return Aliases(mapping)


def extract_article(clean: CleanArticle, doc: Doc, aliases: Aliases, article_id: str, digest: str = "") -> Article:
    """Everything the briefing says of one article, read from its text and its metadata."""
    meta = dict(clean.meta)
    plain = [markdown_to_plain(p) for p in clean.paragraphs]
    text = doc.text
    offsets = _sentence_offsets(doc)
    sentences = _sentences(text, offsets, plain)
    raw_mentions = _raw_mentions(doc, plain)
    canonical = _canonical_names(raw_mentions, aliases)
    entities = _ranked_entities(raw_mentions, canonical)
    mentions = _first_mentions(raw_mentions, canonical, sentences)
    named = [
        Named(m.start, m.end, entity.name, entity.kind)
        for m in raw_mentions
        if (entity := canonical[(m.name, m.kind)]).kind in ("person", "organization", "place")
    ]
    quotes = find_quotes(text, _paragraph_starts(plain), offsets, named)
    date, capture = _date_evidence(clean, meta, plain)
    return Article(
        id=article_id,
        source=clean.source,
        title=_title(clean, meta, plain),
        dek=clean.dek,
        date=date,
        capture_date=capture,
        publisher=meta.get("publisher") or _publisher(clean.blocks),
        authors=_authors(meta, clean.blocks),
        contributors=_contributors(clean.blocks),
        dateline=_dateline(plain),
        developing=any(b.role == "editor_note" for b in clean.blocks),
        paragraphs=clean.paragraphs,
        captions=clean.captions,
        sentences=tuple(sentences),
        entities=entities,
        mentions=mentions,
        quotes=quotes,
        url=_web_address(meta.get("url", "")),
        digest=digest,
    )


def article_text(clean: CleanArticle) -> str:
    """The text given to spaCy: plain paragraphs, one blank line apart, so offsets map back."""
    return PARAGRAPH_SEPARATOR.join(markdown_to_plain(p) for p in clean.paragraphs)


def _paragraph_starts(plain: list[str]) -> list[int]:
    starts, offset = [], 0
    for paragraph in plain:
        starts.append(offset)
        offset += len(paragraph) + len(PARAGRAPH_SEPARATOR)
    return starts


def _paragraph_at(starts: list[int], offset: int) -> int:
    return max(0, bisect.bisect_right(starts, offset) - 1)


def _sentence_offsets(doc: Doc) -> list[tuple[int, int]]:
    """Sentence spans in the text, cut at paragraph breaks: a sentence never runs over two paragraphs."""
    full = doc.text
    found = []
    for start, end in sentence_spans(doc):
        offset = start
        for piece in full[start:end].split(PARAGRAPH_SEPARATOR):
            lead = len(piece) - len(piece.lstrip())
            if piece.strip():
                found.append((offset + lead, offset + len(piece.rstrip())))
            offset += len(piece) + len(PARAGRAPH_SEPARATOR)
    return found


def _sentences(text: str, offsets: list[tuple[int, int]], plain: list[str]) -> list[Sentence]:
    starts = _paragraph_starts(plain)
    return [Sentence(normalize_space(text[start:end]), _paragraph_at(starts, start)) for start, end in offsets]


@dataclass(frozen=True, slots=True)
class _RawMention:
    surface: str
    name: str
    """Surface with titles and possessives removed."""
    kind: str
    paragraph: int
    start: int
    end: int
    bearer: str = ""
    """For a name given as 'known as …', the name of the person who bears it."""


def _strip_name(text: str, kind: str) -> str:
    """The name without what surrounds it: possessives, titles and roles before, honours after."""
    name = normalize_space(text.split(PARAGRAPH_SEPARATOR)[0]).strip(' ,;:-–—"“”‘')
    name = re.sub(r"(?:[’']s|(?<=s)[’'])$|(?<!s)[’']$", "", name)
    if not re.search(r"\b(?:[A-Z]|Jr|Sr)\.$", name):
        name = name.rstrip(".")
    if kind != "person":
        return re.sub(r"^(?:[Tt]he\s+|[a-z][\w-]*\s+)+(?=[A-Z0-9])", "", name)
    tokens = name.split()
    while tokens and (tokens[0].lower() in TITLE_WORDS or tokens[0].islower()):
        tokens.pop(0)
    while len(tokens) > 1 and tokens[-1].strip(",.") in HONOURS:
        tokens.pop()
    return " ".join(tokens)


def _kind_by_shape(name: str, kind: str) -> str:
    """Some names say what they are whatever spaCy guessed: '… Stadium' is a place, '… Festival' an event.

    The head of 'Church of Christ' is 'Church'; a name ending in 'Party' is an organisation.
    """
    words = re.split(r"\s+of\s+", name, maxsplit=1)[0].split()
    last = words[-1].lower() if words else ""
    if kind in ("organization", "person", "group") and last in EVENT_WORDS and len(name.split()) > 1:
        return "event"
    if kind in ("organization", "person") and last in PLACE_WORDS and len(words) > 1:
        return "place"
    if last in ORGANIZATION_WORDS and len(words) > 1:
        return "organization"
    if last == "court" and len(words) > 1:
        return "organization" if words[-2].lower() in COURT_TYPES else "place"
    if words and words[0] in ("County", "Isle", "Ile", "Île", "Mount", "Lake") and len(words) > 1:
        return "place"
    return kind


def _raw_mentions(doc: Doc, plain: list[str]) -> list[_RawMention]:
    """spaCy's entities, repaired by what surrounds them, and persons named with an honorific."""
    starts = _paragraph_starts(plain)
    text = doc.text
    dateline = _DATELINE.match(plain[0]) if plain else None
    honorific = [
        _RawMention(m.group(), _strip_name(m["name"], "person"), "person", _paragraph_at(starts, m.start()), *m.span())
        for m in _HONORIFIC.finditer(text)
    ]
    found = list(honorific)
    places = {ent.start_char for ent in doc.ents if ent.label_ in ("GPE", "LOC")}
    ent_starts = {ent.start_char for ent in doc.ents}
    previous: _RawMention | None = None
    for ent in doc.ents:
        start, end = ent.start_char, ent.end_char
        if dateline and end <= dateline.end():
            continue
        if any(h.start < end and start < h.end for h in honorific) or re.match(r"[\w-]", text[start - 1 : start]):
            continue  # an honorific's name, or the end of a longer word ('All-Ireland')
        if ent.text.isupper() and re.search(r"\b[A-Z]{2,}\W+[A-Z]{2,}\W+$", text[max(0, start - 20) : start]):
            continue  # a word of a shouted line ('AFTER THE JUMP')
        if re.search(r"\s[A-Z]+\d+[A-Za-z]*$", ent.text):
            continue  # a model ('Galaxy S5'), not a maker
        kind = KIND_OF_LABEL.get(ent.label_)
        if kind is None and not _ends_in_place_word(ent.text):
            continue
        surface = ent.text
        more = _NAME_AFTER.match(text, end) if ent.label_ == "NORP" and not _PLACE_AFTER.match(text, end) else None
        if more and more[1].lower() not in TITLE_WORDS and not any(start < s < more.end() for s in ent_starts):
            surface, end, kind = surface + more.group(), more.end(), "organization"  # 'Democratic Rally''
        suffix = _EVENT_AFTER.match(text, end)
        if suffix:
            surface, end, kind = surface + suffix.group(), suffix.end(), "event"
        elif suffix := _PLACE_AFTER.match(text, end):
            surface, end, kind = f"{surface} {suffix[1].title()}", suffix.end(), "place"
        within = re.fullmatch(r"(.*[a-z].*) in ([A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+)*)", surface)
        if within and kind != "person":
            # 'Boots in Ipswich': a name and the place it is in.
            place_at = start + within.start(2)
            found.append(_RawMention(within[2], within[2], "place", _paragraph_at(starts, place_at), place_at, end))
            surface, end = within[1], start + len(within[1])
        kind = _kind_in_context(text, start, end, kind or "place", surface, previous, places)
        name, kind = _trailing_noun(_strip_name(surface, kind), kind)
        if len(name) < 2 or not re.search(r"[A-Z]", name) or _COMMON_PLURAL.match(name):
            continue
        bearer = ""
        if kind == "person" and previous and previous.kind == "person" and _KNOWN_AS.search(text, previous.end, start):
            bearer = previous.name  # 'Vincent Barker, known as Vinnie': Vinnie is Vincent Barker
        elif previous and name.isupper() and text[previous.end : start] == " (" and text[end : end + 1] == ")":
            bearer = previous.name  # 'Democratic Party (DIKO)': DIKO is the Democratic Party
        elif _is_quoted_title(text, start, end):
            continue
        previous = _RawMention(surface, name, kind, _paragraph_at(starts, start), start, end, bearer)
        found.append(previous)
    found.sort(key=lambda m: m.start)
    return _without_nested(_without_headline_noise(found, plain, starts), text)


def _ends_in_place_word(surface: str) -> bool:
    """'Grove Road' is a place whatever else spaCy took it for (a title, a product)."""
    words = surface.split()
    return len(words) > 1 and words[-1].lower() in PLACE_WORDS and words[-1][0].isupper()


def _is_quoted_title(text: str, start: int, end: int) -> bool:
    """A name that is a whole quotation ('CNN's "Larry King Live"') is a title or a nickname."""
    return text[start - 1 : start] in ('"', "“", "'", "‘") and bool(re.match(r"[,.]?[\"”'’]", text[end : end + 2]))


def _kind_in_context(
    text: str, start: int, end: int, kind: str, surface: str, previous: _RawMention | None, places: set[int]
) -> str:
    """What the words around a name say of it.

    'in Rafah', 'Abu Talat (Egypt)', 'Khan Younis and Rafah', 'Melton Mowbray, Leicestershire' and
    'the Bataclan concert hall' are places; 'The Temper Trap' is no person; 'English Heritage' no
    nationality; in a list of persons ('Boyce, Caldwell, Alcaraz') a lone name is a person too.
    """
    gap = text[previous.end : start] if previous else ""
    if re.search(r"[’']s?$", surface) or re.match(r"[’']", text[end : end + 1]):
        return kind  # 'Sarah Palin's church', 'in Vinnie's skull': the name is the owner
    if kind == "group" and len(surface.split()) > 1 and not re.search(r"(?:an|ish|ese|ch|i)$", surface):
        return "organization"
    if _PLACE_NOUN_AFTER.match(text, end):
        return "place"
    if re.match(r"\s+(?:magazine|newspaper|article|column|blog|website)\b", text[end : end + 12]):
        return "organization"  # 'a 2005 Vanity Fair article': a publication
    if len(surface.split()) <= 3 and _PERSON_BEFORE.search(text[max(0, start - 20) : start]):
        return "person"
    listed = (
        previous is not None
        and previous.kind == "person"
        and bool(re.fullmatch(r"\s*[,;(]\s*", gap))
        and bool(re.match(r"\s*(?:[,;()]|$)", text[end : end + 3]))
    )
    if kind in ("organization", "place") and listed and len(surface.split()) == 1:
        return "person"
    paired = previous is not None and previous.kind == "person" and gap == " and "
    if kind == "organization" and paired and re.fullmatch(r"[A-Z][a-z]+(?: [A-Z][a-z]+){1,2}", surface):
        return "person"  # 'Reggie Bush and Julius Jones'
    if kind != "person":
        return kind
    if surface.startswith("The "):
        return "organization"
    if _PLACE_BEFORE.search(text[max(0, start - 30) : start]):
        return "place"
    if re.match(r"\s*\(", text[end : end + 2]) and text.find("(", end) + 1 in places:
        return "place"
    if previous and previous.kind == "place":
        single = len(surface.split()) == 1
        if re.fullmatch(r"\s+(?:and|or)\s+", gap) or (single and re.fullmatch(r",\s+", gap)):
            return "place"
    return kind


def _trailing_noun(name: str, kind: str) -> tuple[str, str]:
    """'AKEL party' is AKEL, an organisation; 'the Watergate hotel' and 'Dungannon council' places."""
    words = name.split()
    if len(words) < 2 or not words[-1].islower() or words[-1] in EVENT_WORDS:
        return name, kind
    last = words[-1]
    if last in PLACE_WORDS:
        kind = "place"
    elif last == "party":
        kind = "organization"
    elif last in ("council", "government", "police", "authorities"):
        kind = "place"  # 'Dungannon council' names the town by its council
    while len(words) > 1 and words[-1].islower():
        words.pop()
    return " ".join(words), kind


def _without_headline_noise(mentions: list[_RawMention], plain: list[str], starts: list[int]) -> list[_RawMention]:
    """In a Title Case line every word looks like a name: keep only names the body names too.

    'Pierre Thomas Placed on Injured Reserve' -> Pierre Thomas, if the text names him elsewhere.
    """
    titled = {number for number, paragraph in enumerate(plain) if _is_title_case(paragraph)}
    if not titled:
        return mentions
    elsewhere = {m.name: m for m in mentions if m.paragraph not in titled}
    kept = []
    for m in mentions:
        if m.paragraph not in titled:
            kept.append(m)
            continue
        prefixes = [" ".join(m.name.split()[:n]) for n in range(len(m.name.split()), 0, -1)]
        match = next((elsewhere[p] for p in prefixes if p in elsewhere), None)
        if match:
            kept.append(_RawMention(m.surface, match.name, match.kind, m.paragraph, m.start, m.end))
    return kept


def _is_title_case(line: str) -> bool:
    """A headline in Title Case; not a sentence, nor a list of names ('Vorm; Rangel, Caulker')."""
    if re.search(r"[.!?:;]\s*$|;", line):
        return False
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", line) if len(w) >= 4]
    return len(words) >= 3 and all(w[0].isupper() for w in words)


def _without_nested(mentions: list[_RawMention], text: str) -> list[_RawMention]:
    """A name inside a longer name written out around it ('Earth' in 'Friends of the Earth') is no entity."""
    longer = sorted({m.name for m in mentions if len(m.name.split()) > 1}, key=len, reverse=True)
    kept = []
    for m in mentions:
        inside = False
        for name in longer:
            if name == m.name or m.name not in name:
                continue
            window = text[max(0, m.start - len(name)) : m.end + len(name)]
            at = window.find(name)
            offset = max(0, m.start - len(name))
            if at >= 0 and offset + at <= m.start and m.end <= offset + at + len(name):
                inside = True
                break
        if not inside:
            kept.append(m)
    return kept


def _canonical_names(mentions: list[_RawMention], aliases: Aliases) -> dict[tuple[str, str], Entity]:
    """Map (name, kind) to one entity: aliases first, then a short person name to the fullest name.

    'Putin' becomes 'Vladimir Putin'; a bare 'Kim' goes to the Kim mentioned most, so Kim Jong Il
    stays apart from Kim Jong Un. Other short names go to a longer one (see _shortens), a name given
    as 'known as …' to its bearer, and a plural nationality to its adjective when the text has both.
    """
    counts = Counter((m.name, m.kind) for m in mentions)
    persons = Counter({name: n for (name, kind), n in counts.items() if kind == "person"})
    names: dict[tuple[str, str], str] = {}
    for name, kind in counts:
        resolved = aliases.resolve(name)
        if resolved == name and kind == "organization":
            resolved = _abbreviation_expanded(name, aliases)
        if resolved == name:
            # A surname alone is the person it belongs to, whatever spaCy took it for ('Obama' as a place).
            words = _without_gerund(name.split(), name, persons) if kind == "person" else name.split()
            single = kind == "person" or len(words) == 1
            longer = [(persons[full], full) for full in persons if single and _is_part_of(words, full.split())]
            longer = [(n, full) for n, full in longer if full != name]
            resolved = _fullest(max(longer)[1], persons) if longer else name
        if resolved == name and kind in ("organization", "person"):
            fuller = [(n, full) for (full, full_kind), n in counts.items() if _shortens(name, kind, full, full_kind)]
            resolved = max(fuller)[1] if fuller else name
        if kind == "group" and (name[:-1], "group") in counts:
            resolved = name[:-1]  # 'Israelis' are Israeli
        names[(name, kind)] = resolved
    _merge_spellings(names, counts)
    _merge_acronyms(names)
    resolved_of = {name: resolved for (name, _), resolved in names.items()}
    bearers = {m.name: resolved_of.get(m.bearer, m.bearer) for m in mentions if m.bearer}
    for name, kind in names:
        if name in bearers:
            names[(name, kind)] = bearers[name]
    kinds: dict[str, Counter[str]] = {}
    for key, n in counts.items():
        # A surname merged into a person counts as that person, whatever its own label.
        kind = "person" if names[key] in persons and names[key] != key[0] else key[1]
        kinds.setdefault(names[key], Counter())[kind] += n
    # One name, one kind: the kind spaCy gave most often ('North Korea' is a place, not an organisation).
    return {key: Entity(name, _kind_by_shape(name, kinds[name].most_common(1)[0][0])) for key, name in names.items()}


def _abbreviation_expanded(name: str, aliases: Aliases) -> str:
    """'UN Relief and Works Agency' is the United Nations Relief and Works Agency."""
    first, _, rest = name.partition(" ")
    expanded = aliases.resolve(first)
    if rest and first.replace(".", "").isupper() and expanded != first:
        return f"{expanded} {rest}"
    return name


def _without_gerund(words: list[str], name: str, persons: Counter[str]) -> list[str]:
    """'Losing Thomas is bad enough': a capitalised verb before a known name is no part of it."""
    if len(words) < 2 or not words[0].endswith("ing"):
        return words
    rest = words[1:]
    known = any(full != name and (full.split() == rest or _is_part_of(rest, full.split())) for full in persons)
    return rest if known else words


def _merge_spellings(names: dict[tuple[str, str], str], counts: Counter[tuple[str, str]]) -> None:
    """One person under two spellings ('Francois Hollande', 'François Hollande') is one entity.

    The same words, whatever their order, accents and vowels, name the same person; the spelling
    with accents is kept, as the more careful one.
    """
    spellings: dict[tuple[str, ...], list[str]] = {}
    for (name, kind), resolved in names.items():
        if kind == "person" and resolved == name and len(name.split()) > 1:
            spellings.setdefault(_plain_words(name), []).append(name)
    for group in spellings.values():
        if len(group) > 1:
            chosen = max(group, key=lambda n: (sum(not c.isascii() for c in n), counts[(n, "person")], n))
            for key, resolved in names.items():
                if resolved in group:
                    names[key] = chosen


def _plain_words(name: str) -> tuple[str, ...]:
    """The words of a name without accents, case, order or vowels, which transliterations vary.

    'Omar Ismail Mostefai' and 'Ismaël Omar Mostefaï' give the same key; 'Kim Jong Un' and 'Kim
    Jong Il', or 'Michael' and 'Michelle', do not.
    """
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return tuple(sorted(re.sub(r"[aeiouy]", "", word) or word for word in plain.split()))


def _merge_acronyms(names: dict[tuple[str, str], str]) -> None:
    """'UNRWA' is the United Nations Relief and Works Agency when the text names it in full."""
    full_names = {resolved for (_, kind), resolved in names.items() if kind == "organization"}
    initials = {"".join(w[0] for w in full.split() if w.lower() not in _SMALL_WORDS): full for full in full_names}
    for (name, kind), resolved in names.items():
        if kind == "organization" and resolved == name and len(name) >= 3 and name.isupper() and name in initials:
            names[(name, kind)] = initials[name]


def _shortens(name: str, kind: str, full: str, full_kind: str) -> bool:
    """Whether a name is a short form of a longer one in the same text.

    An organisation is named by the head of its name, its last word ('the Post' for the Washington
    Post, 'Saints'), and an event by its first ('Glastonbury' festival); a person's name that begins
    a facility's or body's name is that ('at Betty Ford' for the Betty Ford Center).
    """
    if " of " in full or not _is_part_of(name.split(), full.split()):
        return False
    if kind == "person":
        return full_kind in ("organization", "place", "event") and full.startswith(name + " ")
    if full_kind == "organization":
        return full.endswith(" " + name)
    return full_kind == "event" and full.startswith(name + " ")


def _fullest(name: str, persons: Counter[str]) -> str:
    """Follow 'Felt' -> 'Mark Felt' -> 'W. Mark Felt' to the end: one person, one name."""
    seen = {name}
    while True:
        longer = [
            (persons[full], full) for full in persons if full not in seen and _is_part_of(name.split(), full.split())
        ]
        if not longer:
            return name
        name = max(longer)[1]
        seen.add(name)


def _is_part_of(short: list[str], full: list[str]) -> bool:
    """'Putin' is part of 'Vladimir Putin'; 'Kim' of 'Kim Jong Un'; 'Jong' is not a name of its own."""
    n = len(short)
    return n < len(full) and (full[:n] == short or full[-n:] == short)


def _ranked_entities(mentions: list[_RawMention], canonical: dict[tuple[str, str], Entity]) -> tuple[Entity, ...]:
    counts = Counter(canonical[(m.name, m.kind)] for m in mentions)
    first = {}
    for index, m in enumerate(mentions):
        first.setdefault(canonical[(m.name, m.kind)], index)
    return tuple(sorted(counts, key=lambda e: (-counts[e], first[e])))


def _first_mentions(
    mentions: list[_RawMention], canonical: dict[tuple[str, str], Entity], sentences: list[Sentence]
) -> tuple[Mention, ...]:
    by_paragraph: dict[int, list[str]] = {}
    for s in sentences:
        by_paragraph.setdefault(s.paragraph, []).append(s.text)
    seen: set[str] = set()
    found = []
    for m in mentions:
        name = canonical[(m.name, m.kind)].name
        if name in seen:
            continue
        seen.add(name)
        sentence = next((text for text in by_paragraph.get(m.paragraph, ()) if m.surface in text), "")
        found.append(Mention(name, m.paragraph, m.surface, sentence))
    return tuple(found)


def _title(clean: CleanArticle, meta: dict[str, str], plain: list[str]) -> str:
    """The source's own headline; else a hashtag slug line; else the lead sentence, cut between words."""
    if clean.headline:
        return clean.headline
    hashtags = next((b.text for b in clean.blocks if b.role == "hashtags"), None)
    if hashtags:
        words = [w.strip("#,.\\") for w in markdown_to_plain(hashtags).split()]
        title = " ".join(w for w in words if w)
        if title:
            return title[0].upper() + title[1:]
    lead = plain[0] if plain else clean.source
    lead = re.sub(_DATELINE, "", lead)
    lead = re.split(r"(?<=[a-z])[,;:] ", lead, maxsplit=1)[0] if len(lead.split()) > 14 else lead
    return cut_at_word(lead.rstrip("."), 14)


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return Date(year, month, day).isoformat()
    except ValueError:
        return None


def _date_in(text: str) -> str | None:
    match = _DATE_IN_TEXT.search(text) or _DAY_FIRST_DATE.search(text)
    if match:
        return _iso(int(match["year"]), _MONTHS[match["month"].lower().rstrip(".")], int(match["day"]))
    iso = _ISO_DATE.search(text)
    if iso:
        return _iso(int(iso[1]), int(iso[2]), int(iso[3]))
    return None


def _date_evidence(clean: CleanArticle, meta: dict[str, str], plain: list[str]) -> tuple[DateEvidence, str | None]:
    """The publication date and where it came from; a site header date is only the capture date."""
    capture = next((_date_in(markdown_to_plain(b.text)) for b in clean.blocks if b.role == "dateline_date"), None)
    if meta.get("date") and (found := _date_in(meta["date"]) or _date_in(meta["date"][:10])):
        return DateEvidence(found, "stated in the source's metadata"), capture
    for caption in clean.captions:
        if found := _date_in(caption):
            return DateEvidence(found, f"photo caption dated {found}"), capture
    for paragraph in plain[:3]:
        if found := _date_in(paragraph):
            return DateEvidence(found, f"article text: {found}"), capture
    if capture:
        return DateEvidence(
            capture, "site header date (when the page was captured); publication date uncertain", True
        ), capture
    year = next(
        (
            m["year"]
            for b in clean.blocks
            if b.role == "copyright" and (m := _COPYRIGHT_LINE.match(markdown_to_plain(b.text))) and m["year"]
        ),
        None,
    )
    if year:
        return DateEvidence(None, f"copyright {year}; no day given", True), capture
    return DateEvidence(None, "no date in the source", True), capture


def _publisher(blocks: tuple[Block, ...]) -> str | None:
    for block in blocks:
        plain = markdown_to_plain(block.text)
        if block.role == "copyright" and (match := _COPYRIGHT_LINE.match(plain)) and match["name"].strip():
            return match["name"].strip()
    for block in blocks:
        if match := _READ_MORE.search(markdown_to_plain(block.text)):
            return match["name"].strip().title()
    return None


def _authors(meta: dict[str, str], blocks: tuple[Block, ...]) -> tuple[str, ...]:
    if meta.get("authors"):
        return tuple(a.strip() for a in re.split(r";|\band\b", meta["authors"]) if a.strip())
    for block in blocks:
        if block.role == "byline":
            names = re.sub(r"^by\s+", "", markdown_to_plain(block.text), flags=re.IGNORECASE)
            return tuple(n for n in (s.strip() for s in re.split(r",| and ", names)) if _NAME.match(n))
    return ()


def _contributors(blocks: tuple[Block, ...]) -> tuple[str, ...]:
    """'Lyric Li in Seoul and Robyn Dixon in Riga, Latvia, contributed to this report.' -> the two names."""
    names: list[str] = []
    for block in blocks:
        if block.role != "contributors":
            continue
        head = re.split(r"\bcontributed\b", markdown_to_plain(block.text))[0]
        for part in re.split(r",\s*|\s+and\s+", head):
            name = re.sub(r"\s+(?:in|from)\s+.*$", "", part.strip())
            if _NAME.match(name) and name not in names:
                names.append(name)
    return tuple(names)


def _web_address(url: str) -> str | None:
    """Only an http(s) address is a link to the original; anything else (javascript:, data:) is dropped."""
    url = url.strip()
    return url if re.match(r"https?://[^\s<>\"']+$", url, re.IGNORECASE) else None


def _dateline(plain: list[str]) -> str | None:
    if plain and (match := _DATELINE.match(plain[0])):
        return match["place"].strip().title()
    return None
