"""Direct quotations and who said them, for the extract stage.

Quotation marks are paired over the whole article text, so a quotation may run over sentences and
paragraphs; a paragraph that reopens the mark starts a new quotation. The speaker is the subject of
the speech verb nearest the quotation ("…," Holley said / said the Wigan manager / Mr Corr said: "…");
'he' or 'she' is the person who last spoke or was last named; "a spokesman" speaks for the
organisation named with it, while an unnamed official or source is no one. A quotation with no
speech verb of its own continues the quotation before it, or follows a lead-in ending in ':', or
belongs to whoever the previous sentence is about.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from generator.model import Quote
from generator.text import normalize_space

SPEECH_VERBS = (
    r"said|says|say|saying|told|tells|added|adds|adding|asked|stated|wrote|writes|noted|warned|predicted"
    r"|insisted|insists|argued|declared|announced|explained|continued|replied|remarked|hailed|called|urged"
    r"|stressed|claimed|vowed|joked|denied|described|describes|accused|concedes|conceded|remembered|recalled"
    r"|tweeted|revealed|admitted|confirmed|suggested|acknowledged|pointed out|responded|according to|was emphatic"
)
ORG_VOICES = frozenset(["spokesman", "spokeswoman", "spokesperson", "spokespeople", "spokesmen", "statement"])
"""Heads of a phrase that speaks for an organisation: 'an RSPCA spokesman said' is the RSPCA."""
ANONYMOUS = frozenset(["official", "officials", "source", "sources", "insider", "insiders", "aide", "aides"])
"""Heads of a phrase that names no one: 'a senior official said' has no named speaker."""
MIN_WORDS = 3
"""Shorter quoted phrases are scare quotes or names, not quotations."""
SUBJECT_WORDS = 4
"""A person named within the first few words of a sentence is its subject ('Prof Gibb noted …')."""
_MASK = "\u2022"
_SPEECH = re.compile(rf"\b(?:{SPEECH_VERBS})\b", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(?:he|she)\b", re.IGNORECASE)
_ADDRESSEE = re.compile(r"\b(?:told|tells|asked|asks|thanked|urged|telling|asking|to)\s+(?:the\s+)?$", re.IGNORECASE)
# A noun phrase ending just before the verb, as its subject ('A Labour source in the Lords told');
# one after a preposition ('for his part') is not a subject, nor one with a verb in it ('The White
# House has repeatedly accused').
_PHRASE = re.compile(
    r"(?<!\bfor )(?<!\bof )(?<!\bin )(?<!\bon )(?<!\bat )(?<!\bby )(?<!\bwith )(?<!\bto )"
    r"(?:^|(?<=[\s,(]))(?P<det>[Tt]he|[Aa]n?)\s+(?:(?!(?:has|have|had|is|are|was|were|will|would)\b)[\w'’.&-]+\s+){0,4}?"
    r"(?P<head>[a-z]+(?<!ly))(?:\s+(?:in|for|of|at|from|with)\s+[^,;\u2022]{1,60}?)?\s*,?\s*$"
)
_POSSESSIVE = re.compile(r"(?:[’']s\b|(?<=s)[’'])(?!\w)")
_PHRASE_AFTER = re.compile(
    r"\s*(?P<det>the|a|an)\s+(?:[\w'’.&-]+\s+){0,4}?(?P<head>[a-z]+)\b"
    r"(?:\s+(?:for|from|of|at)\s+(?:the\s+)?[A-Z][\w'’.&-]*(?:\s+[A-Z][\w'’.&-]*)*)?"
)
"""A noun phrase right after the verb, with the body it speaks for: 'said a spokesman for Acme'."""
_WORD_START = re.compile(r"\w")
_MARK = re.compile("[“«”»\"‘'’]")
"""The characters _marks looks at: every quotation mark, curly, straight or angled."""
_TITLE_WORD = r"(?:[A-Z0-9][\w'’.-]*|of|and|the|a|in|on|to|for)"
_TITLE_LIKE = re.compile(rf"^{_TITLE_WORD}(?:\s+{_TITLE_WORD})*$")
"""A quoted title ('Hymns and Arias', 'Larry King Live'), not a quotation."""


@dataclass(frozen=True, slots=True)
class Named:
    """A person, organisation or place named in the text (a place may speak: "the White House said")."""

    start: int
    end: int
    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class _Speaker:
    """The outcome of an attribution: who (None for no named speaker)."""

    name: str | None


def find_quotes(
    text: str, paragraph_starts: list[int], sentences: list[tuple[int, int]], named: list[Named]
) -> tuple[Quote, ...]:
    """Every quotation of at least MIN_WORDS words in text, with its speaker or None.

    Args:
        text: the article text, paragraphs separated by a blank line.
        paragraph_starts: offset of each paragraph in text.
        sentences: sentence spans in text, none crossing a paragraph break.
        named: persons, organisations and places named in text, in text order.
    """
    spans = _quotation_spans(text, paragraph_starts)
    if not sentences:
        return ()
    masked = _masked(text, spans)
    reader = _Reader(text, masked, sentences, [n for n in named if _MASK not in masked[n.start : n.end]])
    quotes = []
    for start, end in spans:
        quoted = normalize_space(text[start:end]).strip(" ,")
        speaker = reader.speaker_of(start, end)
        if len(quoted.split()) >= MIN_WORDS and not _TITLE_LIKE.match(quoted.rstrip(".")):
            quotes.append(Quote(speaker, quoted, _index_at(paragraph_starts, start)))
    return tuple(quotes)


def _index_at(starts: list[int], offset: int) -> int:
    return max(0, bisect.bisect_right(starts, offset) - 1)


def _marks(text: str) -> list[tuple[int, str, str]]:
    """Quotation marks as (offset, family, role): role 'open', 'close' or 'either' (a straight mark).

    Single marks count outside double ones when curly; straight single marks only in an article
    that has no double marks (its own quotation marks), and never between letters (apostrophes).
    """
    has_double = any(c in text for c in '"“”«»')
    found = []
    for mark in _MARK.finditer(text):
        i, c = mark.start(), mark.group()
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        if c in "“«":
            found.append((i, "double", "open"))
        elif c in "”»":
            found.append((i, "double", "close"))
        elif c == '"':
            found.append((i, "double", "either"))
        elif c in "‘'’" and not (before.isalnum() and after.isalnum()):
            if c == "'" and has_double:
                continue
            opens = not before.isalnum() and before not in ".,!?;:'’" and bool(_WORD_START.match(after))
            closes = (before.isalnum() or before in ".,!?;:") and not after.isalnum()
            if c == "‘" and opens:
                found.append((i, "single", "open"))
            elif c == "’" and closes:
                found.append((i, "single", "close"))
            elif c == "'" and opens != closes:
                found.append((i, "single", "open" if opens else "close"))
    return found


def _quotation_spans(text: str, paragraph_starts: list[int]) -> list[tuple[int, int]]:
    """Pair the quotation marks: (start, end) of each quotation's words, marks excluded.

    A quotation still open at the end of its paragraph runs on, unless the next paragraph reopens
    the mark (then each paragraph is a quotation); one never closed ends with its paragraph.
    """
    marks = _marks(text)

    def paragraph_end(number: int) -> int:
        return paragraph_starts[number + 1] - 2 if number + 1 < len(paragraph_starts) else len(text)

    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(marks):
        position, family, role = marks[index]
        index += 1
        if role == "close":
            continue
        paragraph = _index_at(paragraph_starts, position)
        end = None
        while index < len(marks) and end is None:
            at, other, other_role = marks[index]
            now = _index_at(paragraph_starts, at)
            if now != paragraph:
                if other == family and other_role != "close" and not text[paragraph_starts[now] : at].strip():
                    end = paragraph_end(now - 1)
                    break
                paragraph = now
            index += 1
            if other == family and other_role != "open":
                end = at
        if end is None:
            end = paragraph_end(_index_at(paragraph_starts, position))
            index = next((i for i, mark in enumerate(marks) if mark[0] >= end), len(marks))
        spans.append((position + 1, end))
    return spans


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with every quotation, marks included, overwritten: only the attribution is left."""
    chars = list(text)
    for start, end in spans:
        for i in range(max(0, start - 1), min(len(chars), end + 1)):
            if chars[i] != "\n":
                chars[i] = _MASK
    return "".join(chars)


class _Reader:
    """Reads the attributions in text order, remembering who spoke in which sentence."""

    def __init__(self, text: str, masked: str, sentences: list[tuple[int, int]], named: list[Named]) -> None:
        self.text = text
        self.masked = masked
        self.sentences = sentences
        self.named = named
        self.starts = [start for start, _ in sentences]
        self.said_by: dict[int, _Speaker] = {}

    def speaker_of(self, start: int, end: int) -> str | None:
        first = self._sentence_at(start - 1)
        last = self._sentence_at(min(end, len(self.text) - 1))
        frame_start, frame_end = self.sentences[first][0], self.sentences[last][1]
        speaker = self._attribution(frame_start, frame_end, start - 1, end + 1)
        if speaker is None:
            speaker = self._fallback(first, frame_start, frame_end)
        for index in range(first, last + 1):
            self.said_by[index] = speaker
        return speaker.name

    def _sentence_at(self, offset: int) -> int:
        """The sentence holding offset, or the one before the gap it falls in."""
        return max(0, bisect.bisect_right(self.starts, offset) - 1)

    def _attribution(self, frame_start: int, frame_end: int, open_at: int, close_at: int) -> _Speaker | None:
        """The subject of the speech verb nearest the quotation, or None if the frame has no verb."""
        verbs = list(_SPEECH.finditer(self.masked, frame_start, frame_end))
        if not verbs:
            return None

        def distance(verb: re.Match[str]) -> tuple[int, bool]:
            gap = open_at - verb.end() if verb.end() <= open_at else verb.start() - close_at
            return (abs(gap), verb.end() <= open_at)

        verb = min(verbs, key=distance)
        before = self.masked[frame_start : verb.start()]
        if verb.group().lower() == "according to" or re.search(rf"{_MASK}[\s,]*$", before):
            after = self._subject_after(verb.end(), frame_end)
            if after is not None:
                return after
        return self._subject_before(frame_start, verb.start())

    def _subject_after(self, start: int, end: int) -> _Speaker | None:
        """'…," said military spokesman Avi Benayahu' / 'said the official' / 'according to X'."""
        stop = self.masked.find(_MASK, start, end)
        end = min(end, stop if stop >= 0 else end, start + 80)
        inside = [n for n in self.named if start <= n.start < end]
        phrase = _PHRASE_AFTER.match(self.masked, start, end)
        person = next((n for n in inside if n.kind == "person"), None)
        if phrase and not (person and person.start >= phrase.end("head")):
            return self._phrase_speaker(phrase["det"], phrase["head"], start, phrase.end())
        if person:
            return _Speaker(person.name)
        if inside:
            return _Speaker(inside[0].name)
        return None

    def _subject_before(self, frame_start: int, verb_at: int) -> _Speaker:
        """The name, 'he'/'she' or noun phrase nearest before the verb in its clause; else the subject
        of the speech verb before it in the sentence; else the nearest in the sentence."""
        clause_start = max(frame_start, self.masked.rfind(_MASK, frame_start, verb_at) + 1)
        candidates = self._subjects(clause_start, verb_at)
        if not candidates:
            # '…, adding: "…"' or '…, but said he would "…"': the subject of the verb before.
            earlier = list(_SPEECH.finditer(self.masked, frame_start, clause_start))
            if earlier:
                return self._subject_before(frame_start, earlier[-1].start())
            candidates = self._subjects(frame_start, verb_at)
        people = [c for c in candidates if c[1] != "org"]
        chosen = max(people or candidates, key=lambda c: c[0], default=None)
        if chosen is None:
            return _Speaker(None)
        what = chosen[2]
        if isinstance(what, Named):
            return _Speaker(what.name)
        if isinstance(what, int):
            return self._antecedent(what)
        start, match = what
        return self._phrase_speaker(match["det"], match["head"], start + match.start(), start + match.end())

    def _subjects(self, start: int, verb_at: int) -> list[tuple[int, str, object]]:
        """Who could be the subject of a verb at verb_at: names, pronouns and a noun phrase just before it."""
        region = self.masked[start:verb_at]
        candidates: list[tuple[int, str, object]] = []
        for n in self.named:
            if start <= n.start and n.end <= verb_at and not _ADDRESSEE.search(self.masked[start : n.start]):
                candidates.append((n.end, "org" if n.kind != "person" else "person", n))
        for pronoun in _PRONOUN.finditer(region):
            candidates.append((start + pronoun.end(), "pronoun", start + pronoun.start()))
        phrase = _PHRASE.search(region)
        if phrase:
            candidates.append((verb_at, "phrase", (start, phrase)))
        return candidates

    def _phrase_speaker(self, det: str, head: str, start: int, end: int) -> _Speaker:
        """'an RSPCA spokesman' -> RSPCA; 'a senior official' -> no one; 'the singer' -> who it refers to.

        A spokesman of a body the text does not name as an organisation speaks for no one named; one of
        an unnamed body ('a company spokesperson') for the organisation last named.
        """
        if head in ORG_VOICES:
            inside = [n for n in self.named if start <= n.start < end and n.kind != "person"]
            if inside:
                return _Speaker(inside[0].name)
            if re.search(r"\b[A-Z]", self.masked[start + 1 : end]):
                return _Speaker(None)
            earlier = [n for n in self.named if n.end <= start and n.kind == "organization"]
            return _Speaker(earlier[-1].name if earlier else None)
        if head in ANONYMOUS or det.lower() != "the":
            return _Speaker(None)
        return self._antecedent(start)

    def _antecedent(self, position: int) -> _Speaker:
        """Who 'he', 'she' or 'the singer' is: who last spoke, else the person last named.

        A sentence that itself starts from a pronoun passes the question on to the one before.
        """
        index = self._sentence_at(position)
        start = self.sentences[index][0]
        named_before = [n for n in self.named if start <= n.start and n.end <= position and n.kind == "person"]
        if named_before:
            return _Speaker(named_before[-1].name)
        for earlier in range(index - 1, max(-1, index - 8), -1):
            if earlier in self.said_by:
                return self.said_by[earlier]
            found = self._person_of_sentence(earlier)
            if found is not None:
                return found
        return _Speaker(None)

    def _person_of_sentence(self, index: int) -> _Speaker | None:
        """The person a sentence without quotations is about, if any; None to look further back.

        That is the subject of its speech verb, else a person named at its start, else the person
        named last; a name in the possessive ("Danny's room") is not what the sentence is about.
        """
        start, end = self.sentences[index]
        people = self._people(start, end)
        pronoun = _PRONOUN.search(self.masked, start, end)
        if pronoun and (not people or pronoun.start() < people[0].start):
            return None
        if not people:
            return None
        verb = _SPEECH.search(self.masked, start, end)
        subject = [n for n in people if verb and n.end <= verb.start()]
        if subject:
            return _Speaker(subject[-1].name)
        if len(self.masked[start : people[0].start].split()) <= SUBJECT_WORDS:
            return _Speaker(people[0].name)
        return _Speaker(people[-1].name)

    def _people(self, start: int, end: int) -> list[Named]:
        """Persons named between start and end, not in the possessive."""
        return [
            n
            for n in self.named
            if start <= n.start < end
            and n.kind == "person"
            and not (_POSSESSIVE.search(self.text, n.start, n.end) or _POSSESSIVE.match(self.text, n.end))
        ]

    def _fallback(self, first: int, frame_start: int, frame_end: int) -> _Speaker:
        """No speech verb by the quotation: a continuation, a lead-in ending in ':', or the topic before."""
        outside = self.masked[frame_start:frame_end].replace(_MASK, " ")
        standalone = len(outside.split()) <= MIN_WORDS
        if first == 0:
            return _Speaker(None)
        previous_start, previous_end = self.sentences[first - 1]
        lead_in = self.masked[previous_start:previous_end].rstrip()
        if lead_in.endswith(":"):
            spoken = self._attribution(previous_start, previous_end, previous_end, previous_end)
            if spoken is not None:
                return spoken
            return self._topic(first - 1) or self._antecedent(previous_start)
        if not standalone:
            return _Speaker(None)
        if first - 1 in self.said_by:
            return self.said_by[first - 1]
        for earlier in range(first - 1, max(-1, first - 3), -1):
            topic = self._topic(earlier)
            if topic is not None:
                return topic
        return _Speaker(None)

    def _topic(self, index: int) -> _Speaker | None:
        """Whom a sentence is about: its first person, else its first organisation; 'he' as before."""
        start, end = self.sentences[index]
        inside = [n for n in self.named if start <= n.start < end]
        pronoun = _PRONOUN.search(self.masked, start, end)
        people = self._people(start, end)
        if pronoun and (not people or pronoun.start() < people[0].start):
            return self._antecedent(pronoun.start())
        if people:
            return _Speaker(people[0].name)
        bodies = [n for n in inside if n.kind == "organization"]
        return _Speaker(bodies[0].name) if bodies else None
