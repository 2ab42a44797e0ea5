"""Names in an article: spaCy's entities repaired by rules, and one canonical name per entity.

spaCy's small model labels names well but often errs on their extent and kind. The rules here read
what is around a name ('in Rafah', 'the Bataclan concert hall', 'Lord Oates', 'known as Danny'), its
shape ('… Festival', '… Crown Court') and the other names of the same article ('Putin' is Vladimir
Putin, 'the Post' the Washington Post, 'UNRWA' the United Nations Relief and Works Agency).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from generator.model import Entity
from generator.text import normalize_space

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
ENTITY_KINDS = frozenset(KIND_OF_LABEL.values())
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
DEPARTMENT_WORDS = frozenset(["Operations", "Communications", "Support", "Sales", "Marketing"])
"""A last word that names a part of a body the text names too: 'Acme Operations' is Acme."""
PLACE_PLURALS = frozenset(["islands", "isles", "heights", "gardens", "springs", "falls", "hills", "lakes", "keys"])
"""Plurals that end place names ('Cayman Islands'), not team names ('Portland Pioneers')."""
COURT_TYPES = frozenset(
    ["high", "supreme", "superior", "crown", "magistrates", "district", "county", "appeals", "federal", "family"]
)
"""'Ipswich Crown Court' is a court of law, an organisation; 'Bay View Court' is a building."""
EVENT_WORDS = frozenset(
    [
        "attack",
        "attacks",
        "bombing",
        "bombings",
        "massacre",
        "scandal",
        "festival",
        "championship",
        "tournament",
        "cup",
        "bowl",
        "playoffs",
        "olympics",
    ]
)
"""Last words that make a name an event: 'Paris attacks', 'Hebridean Celtic Festival'."""
_EVENT_AFTER = re.compile(r" (?:attacks?|bombings?|massacre|scandal|festival)\b")
_FLIGHT_NUMBER = re.compile(r" [Ff]light [A-Z]{0,3}\d{1,4}[A-Z]?\b")
"""'Transpacific Airways Flight TP812': an airline and a flight number name an event (a crash, a loss)."""
_NAME_RUN = re.compile(r"[A-Z][\w'’-]+(?:, [A-Z][\w'’-]+)+")
"""'Dyer, Routledge': single names of a list that spaCy ran into one."""
_PLATFORM_AT_END = re.compile(r" (Twitter|Facebook|Instagram|YouTube|TikTok|LinkedIn)$")
"""'the Harbour Town Twitter account': a body's account on a platform, two names run together."""
_CONTEST_AFTER = re.compile(
    r"(?: (?!(?:the|a|an|to|of|in|and|his|her|their|its)\b)[a-z]+){0,2}"
    r" (?:championships?|playoffs|tournament|cup|final)\b"
)
"""'All-Ireland football championship', 'Irish cup': a contest named after a place, an event."""
_PLACE_BEFORE = re.compile(
    r"\b(?:(?:in|near|outside|(?:city|cities|town|towns|village|county) of)\s+(?:the\s+)?|at the\s+)$"
)
_PLACE_NOUN_AFTER = re.compile(
    r"\s+(?:[a-z]+\s+)?(?:hall|hotel|buildings?|camp|stadium|arena|church|square|airport|station)\b"
)
_PLACE_IN_REGION = re.compile(r",\s+(?:north|south|east|west|central)(?:-\w+)?(?:ern)?\s+[A-Z]")
"""'Newham, east London': a place named with the region it lies in."""
_JOINED_BEFORE = re.compile(r"(?:^|[\s(])([A-Z][a-z]+) and $")
_NAME_AFTER = re.compile(r" ([A-Z][a-z]+)(?: [A-Z][a-z]+| of(?: the)? [A-Z][a-z]+)*")
"""Capitalised words after a nationality that make it a body's name: 'South Korean Joint Chiefs of Staff'."""
_PLACE_AFTER = re.compile(r" ([Cc]ounty|Gardens|Heights|Valley|Beach|Springs|Islands?)\b")
"""'Los Angeles county', 'Hawaiian Gardens': the word after a name that makes it a longer place name."""
_PERSON_BEFORE = re.compile(
    r"\b(?:student|son|daughter|wife|husband|brother|sister|mother|father|friend|girl|boy|man|woman|"
    r"member|chef|reporter|guitarist|singer|player|defender|striker|goalkeeper|colleague|owner|"
    r"counsel|councillor|director|inspector|officer|actress|actor),?\s+$"
)
"""A word for a person just before a name ('another student, Amira'): the name is a person's."""
_ORGANIZATION_BEFORE = re.compile(r"\b(?:club|band|firm|company|charity|newspaper|magazine|broadcaster|group|team) $")
"""A word for a body just before a name ('his club Lavey', 'the band Northway'): the name is a body's."""
_ORGANIZATION_APPOSITION = re.compile(
    r",\s+(?:a|an)\s+(?:[a-z]+\s+){0,2}(?:school|college|university|company|firm|band|club|charity|newspaper)(?![\w’'])"
)
"""'Hillview, a primary school in the north': the name is a body's."""
_SUBSTITUTE_AFTER = re.compile(r",\s*\d{1,3}\)")
"""'(Norris, 75)' in a line-up: a player who came on in the 75th minute."""
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


AliasEntry = list[str] | Mapping[str, object] | None
"""One canonical name's entry: its aliases, or {kind: …, aliases: […]} when the table also knows its kind."""


@dataclass(frozen=True, slots=True)
class Aliases:
    """Other names -> canonical name, from the shipped table and the project's aliases.yml."""

    canonical: Mapping[str, str]
    kinds: Mapping[str, str] = field(default_factory=dict)
    """Canonical name -> kind, where the table says it: 'Lib Dems' is a party, whatever spaCy guessed."""

    def resolve(self, name: str) -> str:
        return self.canonical.get(name, self.canonical.get(name.lower(), name))


def build_aliases(*tables: Mapping[str, AliasEntry]) -> Aliases:
    """Later tables win: an alias they list moves to their canonical name, a kind they give replaces the last."""
    mapping: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for table in tables:
        for canonical, entry in table.items():
            others = entry.get("aliases") if isinstance(entry, Mapping) else entry
            if isinstance(entry, Mapping) and entry.get("kind"):
                kinds[str(canonical)] = str(entry["kind"])
            for other in [canonical, *(others or [])]:
                mapping[str(other)] = str(canonical)
                mapping.setdefault(str(other).lower(), str(canonical))
    return Aliases(mapping, kinds)


@dataclass(frozen=True, slots=True)
class NameMention:
    """One mention of a name in the text."""

    surface: str
    name: str
    """Surface with titles and possessives removed."""
    kind: str
    paragraph: int
    start: int
    end: int
    bearer: str = ""
    """For a name given as 'known as …', the name of the person who bears it."""


def _paragraph_at(starts: list[int], offset: int) -> int:
    return max(0, bisect.bisect_right(starts, offset) - 1)


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
    if kind != "event" and last in EVENT_WORDS and len(name.split()) > 1:
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


def find_names(doc: Doc, text: str, plain: list[str], starts: list[int], skip_until: int = 0) -> list[NameMention]:
    """spaCy's entities, repaired by what surrounds them, and persons named with an honorific.

    Args:
        doc: spaCy's analysis of the article text (plain paragraphs, a blank line apart).
        text: that text, `doc.text`.
        plain: the paragraphs as plain text.
        starts: the offset of each paragraph in the text.
        skip_until: names ending before this offset are not the article's (a dateline's place).
    """
    honorific = [
        NameMention(m.group(), _strip_name(m["name"], "person"), "person", _paragraph_at(starts, m.start()), *m.span())
        for m in _HONORIFIC.finditer(text)
    ]
    found = list(honorific)
    # spaCy makes the entity spans, and a span's text from its tokens, anew on each access: read them once.
    entities = [(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]
    places = {start for start, _, label in entities if label in ("GPE", "LOC")}
    ent_starts = {start for start, _, _ in entities}
    ent_ends = {end for _, end, _ in entities}
    previous: NameMention | None = None
    for start, end, label in entities:
        if end <= skip_until:
            continue
        entity_text = text[start:end]
        contest = _contest(text, start, end) if label in ("GPE", "LOC", "NORP") else None
        if contest:
            name, start, end = contest
            found.append(NameMention(name, name, "event", _paragraph_at(starts, start), start, end))
            continue
        if any(h.start < end and start < h.end for h in honorific) or re.match(r"[\w-]", text[start - 1 : start]):
            continue  # an honorific's name, or the end of a longer word ('All-Ireland')
        if entity_text.isupper() and re.search(r"\b[A-Z]{2,}\W+[A-Z]{2,}\W+$", text[max(0, start - 20) : start]):
            continue  # a word of a shouted line ('AFTER THE JUMP')
        if re.search(r"\s[A-Z]+\d+[A-Za-z]*$", entity_text) and not _FLIGHT_NUMBER.search(entity_text):
            continue  # a model ('Galaxy S5'), not a maker
        kind = KIND_OF_LABEL.get(label)
        if kind is None and not _ends_in_place_word(entity_text):
            continue
        surface = entity_text
        if previous and previous.kind == "person" and _NAME_RUN.fullmatch(surface):
            # In a list of persons each name is a person's; the last goes on as this entity.
            *heads, last = re.finditer(r"[A-Z][\w'’-]+", surface)
            for head in heads:
                at = start + head.start()
                previous = NameMention(head[0], head[0], "person", _paragraph_at(starts, at), at, at + len(head[0]))
                found.append(previous)
            surface, start = last[0], start + last.start()
        platform = _PLATFORM_AT_END.search(surface) if label == "ORG" else None
        if platform:
            at = start + platform.start(1)
            found.append(NameMention(platform[1], platform[1], "organization", _paragraph_at(starts, at), at, end))
            surface, end = surface[: platform.start()], start + platform.start()
        owner = label == "ORG" and re.search(r"[’']s$", surface)
        more = _NAME_AFTER.match(text, end) if label == "NORP" or owner else None
        if more and _PLACE_AFTER.match(text, end):
            more = None
        if more and more[1].lower() not in TITLE_WORDS and not any(start < s < more.end() for s in ent_starts):
            # 'Democratic Rally', 'Pam's House Blend': the name goes on.
            surface, end, kind = surface + more.group(), more.end(), "organization"
        elif label == "NORP" and (government := re.match(r" [Gg]overnment\b", text[end : end + 12])):
            # 'the Scottish government': a body, not a nationality.
            surface, end, kind = surface + " Government", end + government.end(), "organization"
        joined = _JOINED_BEFORE.search(text, max(0, start - 30), start) if label == "ORG" else None
        if joined and joined.end(1) not in ent_ends:
            # 'the Gay and Lesbian Victory Fund': the first of two joined words belongs to the name.
            surface, start = text[joined.start(1) : end], joined.start(1)
        surface = re.sub(r"^((?:[A-Z][\w'’-]+ ){2,})[A-Z]{2,4}$", r"\1", surface).rstrip() or surface
        suffix = _EVENT_AFTER.match(text, end) or (not owner and _FLIGHT_NUMBER.match(text, end))
        if suffix:
            surface, end, kind = surface + suffix.group(), suffix.end(), "event"
        elif _FLIGHT_NUMBER.search(surface):
            kind = "event"
        elif suffix := _PLACE_AFTER.match(text, end):
            surface, end, kind = f"{surface} {suffix[1].title()}", suffix.end(), "place"
        within = re.fullmatch(r"(.*[a-z].*) in ([A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+)*)", surface)
        if within and kind != "person":
            # 'Boots in Ipswich': a name and the place it is in.
            place_at = start + within.start(2)
            found.append(NameMention(within[2], within[2], "place", _paragraph_at(starts, place_at), place_at, end))
            surface, end = within[1], start + len(within[1])
        kind = _kind_in_context(text, start, end, kind or "place", surface, previous, places)
        name, kind = _trailing_noun(_strip_name(surface, kind), kind)
        if len(name) < 2 or not re.search(r"[A-Z]", name) or _COMMON_PLURAL.match(name):
            continue
        bearer = ""
        if kind == "person" and previous and previous.kind == "person" and _KNOWN_AS.search(text, previous.end, start):
            bearer = previous.name  # 'Daniel Reyes, known as Danny': Danny is Daniel Reyes
        elif previous and name.isupper() and text[previous.end : start] == " (" and text[end : end + 1] == ")":
            bearer = previous.name  # 'Democratic Party (DIKO)': DIKO is the Democratic Party
        elif _is_quoted_title(text, start, end):
            continue
        previous = NameMention(surface, name, kind, _paragraph_at(starts, start), start, end, bearer)
        found.append(previous)
    found.sort(key=lambda m: m.start)
    return _without_nested(_without_headline_noise(found, plain, starts), text)


def _contest(text: str, start: int, end: int) -> tuple[str, int, int] | None:
    """The whole name of a contest named after a place, with a word joined before it ('All-Ireland')."""
    after = _CONTEST_AFTER.match(text, end)
    if not after:
        return None
    joined = (
        re.search(r"[A-Z][\w-]*$", text[max(0, start - 20) : start])
        if re.match(r"[\w-]", text[start - 1 : start])
        else None
    )
    first = start - len(joined.group()) if joined else start
    return _strip_name(text[first : after.end()], "event"), first, after.end()


def _ends_in_place_word(surface: str) -> bool:
    """'Grove Road' is a place whatever else spaCy took it for (a title, a product)."""
    words = surface.split()
    return len(words) > 1 and words[-1].lower() in PLACE_WORDS and words[-1][0].isupper()


def _is_quoted_title(text: str, start: int, end: int) -> bool:
    """A name that is a whole quotation ('CNN's "Larry King Live"') is a title or a nickname."""
    return text[start - 1 : start] in ('"', "“", "'", "‘") and bool(re.match(r"[,.]?[\"”'’]", text[end : end + 2]))


def _kind_in_context(
    text: str, start: int, end: int, kind: str, surface: str, previous: NameMention | None, places: set[int]
) -> str:
    """What the words around a name say of it.

    'in Rafah', 'Abu Talat (Egypt)', 'Khan Younis and Rafah', 'Melton Mowbray, Leicestershire',
    'Newham, east London' and 'the Bataclan concert hall' are places; 'The Temper Trap' is no
    person; 'English Heritage' no nationality; in a list of persons ('Reyes, Caldwell, Navarro') a
    lone name is a person too.
    """
    gap = text[previous.end : start] if previous else ""
    if re.search(r"[’']s?$", surface) or re.match(r"[’']", text[end : end + 1]):
        return kind  # 'Sarah Palin's church', 'in Danny's room': the name is the owner
    if kind == "group" and len(surface.split()) > 1 and not re.search(r"(?:an|ish|ese|ch|i)$", surface):
        return "organization"
    if _PLACE_NOUN_AFTER.match(text, end) or _PLACE_IN_REGION.match(text, end):
        return "place"
    if _ORGANIZATION_BEFORE.search(text[max(0, start - 20) : start]) or _ORGANIZATION_APPOSITION.match(text, end):
        return "organization"
    if text[start - 1 : start] == "(" and _SUBSTITUTE_AFTER.match(text, end):
        return "person"
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


def _without_headline_noise(mentions: list[NameMention], plain: list[str], starts: list[int]) -> list[NameMention]:
    """In a Title Case line every word looks like a name: keep only names the body names too.

    'Marcus Webb Signed to Two-Year Deal' -> Marcus Webb, if the text names him elsewhere.
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
            kept.append(NameMention(m.surface, match.name, match.kind, m.paragraph, m.start, m.end))
    return kept


def _is_title_case(line: str) -> bool:
    """A headline in Title Case; not a sentence, nor a list of names ('Vorm; Rangel, Caulker')."""
    if re.search(r"[.!?:;]\s*$|;", line):
        return False
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", line) if len(w) >= 4]
    return len(words) >= 3 and all(w[0].isupper() for w in words)


def _without_nested(mentions: list[NameMention], text: str) -> list[NameMention]:
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


def canonical_names(mentions: list[NameMention], aliases: Aliases) -> dict[tuple[str, str], Entity]:
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
            head, _, last = name.rpartition(" ")
            if last in DEPARTMENT_WORDS and (head, "organization") in counts:
                resolved = head  # 'Acme Operations' speaks for Acme
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
    # One name, one kind: the alias table's, else the kind spaCy gave most often ('North Korea' is a place).
    chosen = {
        name: aliases.kinds.get(name) or _kind_by_shape(name, counter.most_common(1)[0][0])
        for name, counter in kinds.items()
    }
    places = {name for name, kind in chosen.items() if kind == "place"}
    with_article = {names[(m.name, m.kind)] for m in mentions if re.match(r"[Tt]he ", m.surface)}
    for name, kind in chosen.items():
        if kind == "organization" and " " not in name and any(other.endswith(f" of {name}") for other in chosen):
            chosen[name] = "place"  # 'Cyprus' of the Bank of Cyprus is the island, not a body
        elif kind == "place" and name in with_article and _is_team_name(name, places):
            chosen[name] = "organization"
    # One spelling of a flight's name, whichever the text used: 'flight MH370' is 'Flight MH370'.
    return {
        key: Entity(re.sub(r" flight (?=[A-Z]{0,3}\d)", " Flight ", name), chosen[name]) for key, name in names.items()
    }


def _is_team_name(name: str, places: set[str]) -> bool:
    """'the Portland Pioneers' beside Portland: a place and a plural noun name a team, not a place.

    The caller tries only names written with 'the' ('the Portland Pioneers'), so a town such as
    'South Shields' beside 'the South' stays a place.
    """
    place, _, last = name.rpartition(" ")
    plural = last[:1].isupper() and last.endswith("s") and not last.endswith("ss")
    return plural and place in places and last.lower() not in PLACE_PLURALS


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
    return full_kind == "event" and full.startswith(name + " ") and not _FLIGHT_NUMBER.search(full)


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
