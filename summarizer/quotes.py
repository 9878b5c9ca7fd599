"""Find every passage inside quotation marks and attribute it to a speaker. Pure.

The model alone misses quotes, so the text is the source of truth: every passage between
straight or curly double quotes is harvested with its offsets. Its speaker comes from the
words around it, by these rules, strongest first:

1. explicit: a speech verb next to a name in the same sentence ("X said", "said X",
   "X, spokesperson for Y, announced that", "according to X", "X stated:" on the line above);
   "according to the statement" or "the statement said" names whoever issued the last
   statement named before, "the department said" the last department named; quoted items
   of one list share the attribution after the list;
2. antecedent: "he said"/"she added" takes the person named in the nearest sentence before
   that names one (a title or a description marks a person);
3. continued: a quote that continues one so attributed in the same paragraph;
4. the model's speaker for the same words, when that name appears in the article;
5. a pronoun or description as the subject ("they added", "the senior diplomat emphasized"),
   which takes the previous quote's speaker; or the sentence's subject, when it is a name;
6. otherwise the quote is unattributed.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from summarizer.names import is_person, load_lexicon

QUOTE_RE = re.compile(r"“([^”]+)”|\"([^\"\n]+)\"")
SPEECH_VERBS = (
    "said|says|say|added|adds|told|tells|stated|states|noted|notes|stressed|stresses|"
    "emphasized|emphasised|emphasizes|underscored|announced|confirmed|warned|responded|"
    "explained|insisted|argued|wrote|declared|asserted|remarked|replied|urged|reiterated|called|"
    "admitted|admits|acknowledged|conceded|contended|predicted|complained|countered|"
    "cautioned|testified|tweeted|"
    "addressed [A-Z][a-z]+|noting|warning|stressing|saying|adding"
)
_NAME_TOKEN = r"(?:[A-Z][\w’'.-]*|al-[A-Z][\w’'-]*|bin|de|van|von)"  # noqa: S105 - a regex, not a password
_NAME = rf"{_NAME_TOKEN}(?:\s+{_NAME_TOKEN})*"
_PRONOUN = r"(?:he|she|they|He|She|They)"
# "X said", "X, spokesperson for Y, announced that", "X stated:"
LEFT_RE = re.compile(
    rf"(?P<name>{_NAME}(?:\s+officials)?|{_PRONOUN}|[Tt]he [a-z][\w\s-]*?)"
    rf"(?P<of>(?:\s+(?:of|in|from|at)\s+(?:the\s+)?{_NAME}){{1,2}})?"
    rf"(?:,(?P<appos>[^,“”\"]{{3,120}})(?:,[^,“”\"]{{3,120}})?,)?"
    rf"(?:\s+(?:also|then|however|later|again|further|has|have|had),?)*(?:\s+on\s+[A-Z]\w+)?"
    rf"\s+(?P<verb>{SPEECH_VERBS})\b(?P<tail>[^“”\"]{{0,80}})$"
)
# Documents whose words are quoted: "the statement said", "a report released by X".
DOCUMENTS = "statement|indictment|complaint|report|lawsuit|filing|release|letter|ruling|order"
# "according to X", "according to a statement released by X", "according to the statement"
ACCORDING_RE = re.compile(
    rf"[Aa]ccording to (?:(?:a|an|the) (?:[a-z][\w-]* ){{0,2}}?(?:{DOCUMENTS})"
    rf"(?: (?:released|issued|filed|published|sent|posted))? (?:by|from) (?:the )?|the )?"
    rf"(?P<name>{_NAME}|(?:{DOCUMENTS}))"
)
# "…,” the statement said" (whoever issued the last such document named before), "…,” the
# department said" (the last organisation named before whose name ends in "Department")
DESCRIBED_SAID_RE = re.compile(
    r"^[,.!?]?\s*(?:[Tt]he|[Tt]his|[Tt]hat) (?:(?P<adj>[A-Za-z][\w-]*) )?(?P<head>[a-z]+)"
    r" (?:said|says|stated|states|added|alleged|alleges|read|reads|noted|notes)\b"
)
_DESCRIPTION = re.compile(r"(?:[Tt]he|[Tt]his|[Tt]hat) (?:(?P<adj>[a-z][\w-]*) )?(?P<head>[a-z]+)")
# "…,” X said" and "…,” said X"
# "…,” Jane Roe, president of the hospital, said" (one description between name and verb)
# Verbs that report speech only right after a quote ("…,” Roe recalled"; but "Vale Motors
# recalled 40,000 cars")
AFTER_QUOTE_VERBS = "recalled|claimed|maintained|observed|vowed|pledged|promised|joked|quipped"
RIGHT_NAME_VERB_RE = re.compile(
    rf"^[,.!?]?\s*(?P<name>{_NAME}|{_PRONOUN})(?:,[^,“”\"\n]{{3,120}},)?"
    rf"(?:\s+(?:also|then|later|has|have|had)){{0,2}}\s+(?:{SPEECH_VERBS}|{AFTER_QUOTE_VERBS})\b"
)
# A lowercase word that is not a preposition or relative: "the family of the victim, Ann
# Lee, said" may name the victim, so such descriptions are not read as the speaker's.
_PLAIN_WORD = r"(?!(?:of|to|for|by|with|from|at|on|in|who|whom|which|that)\b)[a-z][\w’'-]*"
# "…,” Jane Roe’s sister, Ann Lee, wrote" and "…,” the firm’s chief executive, Ann Lee, said"
RIGHT_DESCRIBED_RE = re.compile(
    rf"^[,.!?]?\s*(?:{_NAME}[’']s\s+|(?:[Tt]he|[Aa]n?|[Hh]is|[Hh]er|[Tt]heir)\s+)?"
    rf"{_PLAIN_WORD}(?:\s+{_PLAIN_WORD}){{0,4}},\s+(?P<name>{_NAME}),\s+"
    rf"(?:{SPEECH_VERBS}|{AFTER_QUOTE_VERBS})\b"
)
RIGHT_VERB_NAME_RE = re.compile(
    rf"^[,.!?]?\s*(?:{SPEECH_VERBS}|{AFTER_QUOTE_VERBS})\s+(?P<name>{_NAME})"
)


@dataclass(frozen=True)
class QuotePassage:
    """Words inside quotation marks, with offsets [start, end) of the words (marks excluded)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Attribution:
    """Who said a passage, and which rule decided it."""

    speaker: str | None
    rule: str  # explicit | antecedent | continued | model | previous | subject | unattributed


#: Rules certain enough that the model is not asked: the text names the speaker next to a
#: speech verb, "he"/"she" follows a sentence naming one person, or the quote continues
#: one so attributed in the same paragraph.
CERTAIN_RULES = frozenset({"explicit", "antecedent", "continued"})


def harvest_quotes(text: str) -> list[QuotePassage]:
    """Every passage inside straight or curly double quotes, trailing commas trimmed."""
    found = []
    for match in QUOTE_RE.finditer(text):
        group = 1 if match.group(1) is not None else 2
        start, end = match.span(group)
        inner = text[start:end]
        trimmed = inner.rstrip(" ,;:")
        lead = len(inner) - len(inner.lstrip())
        if not trimmed.strip():
            continue
        found.append(QuotePassage(start + lead, start + len(trimmed), trimmed[lead:]))
    return found


def _masked(text: str, passages: list[QuotePassage]) -> str:
    """The text with quoted words blanked, so their punctuation does not end sentences."""
    chars = list(text)
    for p in passages:
        for i in range(p.start, p.end):
            if chars[i] not in "\n":
                chars[i] = "x"
    return "".join(chars)


# A sentence ends at . ! ? before a capital, but not after an initial ("William G. Gale")
# or a short abbreviation before a name ("Mr.", "Dr.", "St.", "Jr.").
# Titles written with a full stop that never end a sentence: "Sen. Ann Lee", "Gen. Poe".
_TITLE_STOPS = (
    "Mr",
    "Ms",
    "Dr",
    "St",
    "Jr",
    "Mrs",
    "Sen",
    "Rep",
    "Gov",
    "Gen",
    "Lt",
    "Col",
    "Capt",
    "Sgt",
    "Prof",
    "Rev",
    "Adm",
    "Maj",
    "Cmdr",
    "Supt",
    "Insp",
    "Fr",
)
SENTENCE_END = re.compile(
    r"(?<=[.!?])(?<!\b[A-Z]\.)"
    + "".join(rf"(?<!\b{t}\.)" for t in _TITLE_STOPS)
    + r"[”\"]?\s+(?=[A-Z“\"])|\n"
)
_SENTENCE_END = SENTENCE_END
_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i"})
#: Paragraphs before a quote's own that "he said" may look back to for its person ...
CONTEXT_PARAGRAPHS = 2
#: ... and characters at most (a text without paragraphs is not read from its start).
ANTECEDENT_CHARS = 2000


class Sentences:
    """Sentence bounds of one text, found in one pass: each lookup is a binary search, so
    bounding every figure of a long text costs n log n, not n squared.

    `bounds(start, end)` is exactly what scanning the text up to `start` for the last
    sentence end, and from `end` for the next, gives (`slow_sentence_bounds`): a scan cut
    at `start` sees every sentence end of the whole text that closes before it, and a line
    break just before `start` even where the whole text's match runs on past it.
    """

    def __init__(self, text: str) -> None:
        self.length = len(text)
        #: Ends of the sentence breaks a scan of the whole text finds.
        self._ends = [m.end() for m in SENTENCE_END.finditer(text)]
        self._newlines = [i for i, ch in enumerate(text) if ch == "\n"]
        # Every place a sentence break can start, overlapping or not: a line break, or the
        # place after . ! ? where the pattern matches.
        starts = set(self._newlines)
        for m in re.finditer(r"[.!?]", text):
            if SENTENCE_END.match(text, m.end()):
                starts.add(m.end())
        self._starts = sorted(starts)

    def bounds(self, start: int, end: int) -> tuple[int, int]:
        """The sentence (or line) around [start, end)."""
        i = bisect.bisect_left(self._ends, start)
        left = self._ends[i - 1] if i else 0
        j = bisect.bisect_left(self._newlines, start)
        if j:
            left = max(left, self._newlines[j - 1] + 1)
        k = bisect.bisect_left(self._starts, end)
        return left, (self._starts[k] if k < len(self._starts) else self.length)


@functools.lru_cache(maxsize=8)
def sentences(text: str) -> Sentences:
    """The sentence index of a text (the last few are kept: one article is bounded often)."""
    return Sentences(text)


def slow_sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The reference `Sentences.bounds` must equal: two scans of the text (for tests)."""
    left = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        left = m.end()
    right_m = _SENTENCE_END.search(text, end)
    right = right_m.start() if right_m else len(text)
    return left, right


def _sentence_bounds(masked: str, start: int, end: int) -> tuple[int, int]:
    return sentences(masked).bounds(start, end)


def _mentions(name: str, text: str) -> Iterator[re.Match[str]]:
    """Where `name` stands in `text` as whole words (a substring test first: most known
    names are not in a given sentence)."""
    if name and name in text:
        yield from re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text)


def clean_name(raw: str, known: list[str]) -> str | None:
    """Reduce 'Chief Executive Jane Roe' to a known actor name, or drop leading titles."""
    raw = raw.strip(" ,")
    last = raw.rsplit(maxsplit=1)[-1] if raw else ""
    if (
        len(last) > 3
        and last.endswith(".")
        and "." not in last[:-1]
        and last.lower() not in load_lexicon().abbreviations
        and not any(n.endswith(".") and raw.endswith(n) for n in known)
    ):  # "…,” said Roe." ends a sentence, not a name ("U.S.", "Acme Inc." stay)
        raw = raw[:-1]
    inside = [n for n in known if any(_mentions(n, raw))]
    # The name that ends the phrase is its head: "U.S. Attorney Paul Fishman"
    ending = [n for n in inside if raw.rstrip(" .").endswith(n)]
    if ending:
        return max(ending, key=len)
    after = _after_title(raw.split())
    if after:  # "German Chancellor Scholz": the name after the title, not the adjective
        named = [n for n in inside if any(_mentions(n, after))]
        return max(named, key=len) if named else after
    if inside:
        return max(inside, key=len)
    words = raw.split()
    organisation = any(w.lower().strip(".,") in load_lexicon().organisation_words for w in words)
    while words and _is_title_word(words[0]) and not organisation:
        words.pop(0)
    if not words or words[0][0].islower():
        return None
    return " ".join(words)


def _is_title_word(word: str) -> bool:
    titles = load_lexicon().titles
    return word.lower() in titles or word.lower().rstrip(".") in titles


def _after_title(words: list[str]) -> str | None:
    """The capitalised name after the last title word of a phrase ("Apple CEO Tim Cook",
    "Fed Chair Powell"); None when there is no title, nothing capitalised after it, or the
    words after it name an organisation ("Justice Department")."""
    lexicon = load_lexicon()
    at = max((i for i, w in enumerate(words) if _is_title_word(w)), default=-1)
    rest = words[at + 1 :]
    if at < 0 or not rest or any(w.lower().strip(".,") in lexicon.organisation_words for w in rest):
        return None
    if not all(w[0].isupper() or w.lower() in lexicon.name_particles for w in rest):
        return None
    return " ".join(rest) if rest[0][0].isupper() else None


def _is_title(words: str) -> bool:
    """A short run of capitalised words ("Becoming.", "Save Our Park"): a name or a title."""
    parts = words.strip(" .,!?").split()
    return 0 < len(parts) <= 5 and all(w[:1].isupper() or not w[:1].isalpha() for w in parts)


def _possessive(name: str) -> bool:
    return name.endswith(("’s", "'s"))


def _according(text: str, m: re.Match[str], before: int, known: list[str]) -> str | None:
    """The source an "according to" names: a name (not "X’s lawyers"), or the issuer of
    the document named."""
    name = m.group("name")
    if _possessive(name):
        return None
    if name[0].isupper():
        return clean_name(name, known)
    issuer = _issuer(text, before, name)  # "according to the statement"
    return clean_name(issuer, known) if issuer else None


# Where a clause ends after "Roe said": its end, or a day and then its end ("Roe said Monday.")
# ("Roe said in a letter released Tuesday.", "Roe told reporters.")
_CLAUSE_END = re.compile(
    r"(?:\s+(?:reporters|journalists))?"
    r"(?:\s+in\s+(?:a|an|his|her|their|its)\s+(?:[a-z]+\s+)?(?:statement|letter|interview|"
    r"email|post|tweet|message|speech)\b[^.;“”\"\n]*)?"
    r"\s*(?:(?:on\s+|late\s+|early\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
    r"Sunday|today|yesterday|tonight|last night)\b)?\s*(?:[.,;:!?]|$)"
)


def _right_speaker(
    text: str, right: str, passage: QuotePassage, known: list[str]
) -> tuple[str | None, bool] | None:
    """(speaker, found_pronoun) from the words just after a quote ("…,” Roe said", "…,”
    said Roe", "…,” according to the agency", "…,” the statement said"), or None. After a
    quote that ends its sentence (“… away.” Lee said she was surprised.), the next sentence
    names the speaker only when its verb ends it ("“… away.” Poe said.")."""
    ends = _ends_sentence(text, passage)
    for pattern in (RIGHT_NAME_VERB_RE, RIGHT_VERB_NAME_RE, RIGHT_DESCRIBED_RE):
        m = pattern.match(right)
        if m and ends and not _CLAUSE_END.match(right, m.end()):
            return None  # a new sentence about something else
        if m:
            name = m.group("name")
            if name.lower() in _PRONOUNS:
                return None, True
            return _checked(clean_name(name, known), known)
    m = ACCORDING_RE.match(right)
    source = _according(text, m, passage.start, known) if m else None
    m = DESCRIBED_SAID_RE.match(right)
    if m and not source:
        source = _described(text, m, passage.start, known)
    return (source, False) if source else None


def _described(text: str, m: re.Match[str], before: int, known: list[str]) -> str | None:
    """Who "the statement" or "the fire department" is, from what the text named before:
    the issuer of the last such document, or the one organisation named whose name ends in
    that word (and holds the word before it: "Fire Department"); None when none is, or
    when two are ("the board" after the Water Board and the School Board)."""
    head, adjective = m.group("head"), m.group("adj")
    if re.fullmatch(DOCUMENTS, head):
        issuer = _issuer(text, before, head)
        return clean_name(issuer, known) if issuer else None
    if head not in load_lexicon().organisation_words:
        return None
    # "the department": a name headed by the word ("Fire Department", "Department of
    # Health"), and no other name holding it; "the Vale police": the name that holds both
    holding = {name for at, name in _organisations(text, tuple(known)).get(head, ()) if at < before}
    if adjective is None:
        named = {n for n in holding if _headed_by(n, head)}
        return named.pop() if len(named) == 1 and len(holding) == 1 else None
    named = {n for n in holding if adjective.lower() in n.lower().split()}
    return named.pop() if len(named) == 1 else None


def _headed_by(name: str, head: str) -> bool:
    """Whether an organisation's name is headed by `head`: "Fire Department", "Department
    of Health"."""
    words = name.lower().split()
    return words[-1] == head or (words[0] == head and len(words) > 2 and words[1] == "of")


@functools.lru_cache(maxsize=8)
def _organisations(text: str, known: tuple[str, ...]) -> dict[str, tuple[tuple[int, str], ...]]:
    """Organisation word ("department", "police") -> (first offset, name) of each known
    organisation named in the text whose name ends in it or holds it ("the police" is the
    Vale Police Department): found once per text."""
    heads = load_lexicon().organisation_words
    found: dict[str, list[tuple[int, str]]] = {}
    for name in set(known):
        words = {w.lower() for w in name.split()} & heads if " " in name else set()
        first = next(_mentions(name, text), None) if words else None
        if first is not None:
            for word in words:
                found.setdefault(word, []).append((first.start(), name))
    return {head: tuple(sorted(v)) for head, v in found.items()}


def _explicit(  # noqa: PLR0911 - one return per attribution rule reads best
    text: str,
    masked: str,
    passage: QuotePassage,
    bounds: tuple[int, int],
    known: list[str],
    left_start: int,
) -> tuple[str | None, bool]:
    """(speaker, found_pronoun): a name next to a speech verb around the passage.

    The left context starts after the previous quote of the same sentence, so "…,” noting
    that “…”" looks no further back than its own clause.
    """
    right_end = bounds[1]
    right = masked[passage.end : right_end].lstrip(',.;:!? ”"')
    said = _right_speaker(masked, right, passage, known)
    if said is not None:
        return said
    left = masked[left_start : passage.start].rstrip('“" ')
    if not left.strip():
        line_start = text.rfind("\n", 0, passage.start - 1)
        previous_start = text.rfind("\n", 0, max(line_start, 0)) + 1
        previous = text[previous_start : max(line_start, 0)].strip()
        if previous.endswith(":"):
            left = previous
    m = ACCORDING_RE.search(left)
    if m:
        found = _according(masked, m, passage.start, known)
        if found:
            return found, False
    m = LEFT_RE.search(left.rstrip(":").rstrip())
    if m:
        name = m.group("name")
        description = _DESCRIPTION.fullmatch(name.strip())
        if description:  # "The statement said: “…”", "The department said that “…”"
            described = _described(masked, description, passage.start, known)
            if described:
                return described, False
        if m.group("verb") == "called" and _is_title(passage.text):
            return None, False  # "Roe called her book “Becoming.”": a name, not words said
        if name.lower() in _PRONOUNS or name[0].islower() or name.startswith("The "):
            return None, True
        before = left[: m.start("name")].rstrip().rsplit(" ", 1)[-1].lower()
        if before in ("a", "an"):  # "…, a Virginia Democrat, said": a description
            return None, True
        appos = (m.group("appos") or "").strip()
        if appos and appos[0].isupper() and appos in known:  # "A spokesman for X, Name, said"
            return appos, False
        whole = name + (m.group("of") or "")
        if m.group("of") and " ".join(whole.split()) in known:  # "the Department of Justice"
            return " ".join(whole.split()), False
        # "Senator Jane Roe of Ohio said", "Rabbi Ann Lee of the Vale Temple in Erie said":
        # the name before "of" speaks
        return _checked(clean_name(name, known), known)
    return None, False


def _he_or_she(masked: str, passage: QuotePassage, left_start: int) -> bool:
    """Whether "he" or "she" attributes the quote: "…,” he said", "She added: “…”"."""
    right = masked[passage.end :].lstrip(',.;:!? ”"')
    m = RIGHT_NAME_VERB_RE.match(right) or RIGHT_VERB_NAME_RE.match(right)
    if m:
        return m.group("name").lower() in ("he", "she")
    left = masked[left_start : passage.start].rstrip('“" ').rstrip(":").rstrip()
    found = LEFT_RE.search(left)
    return found is not None and found.group("name").lower() in ("he", "she")


def person_forms(text: str, known: list[str]) -> dict[str, str]:
    """The words each person of `known` is mentioned by -> their name: the name itself, and
    a surname alone when one person of the article bears it ("Lee" for two Lees stays
    as it is). Persons are those `names.is_person` finds marked in the text."""
    persons = [n for n in known if n.split() and is_person(n, text)]
    forms = {n: n for n in persons}
    surnames: dict[str, set[str]] = {}
    for name in persons:
        if " " in name and name.split()[-1][:1].isupper():
            surnames.setdefault(name.split()[-1], set()).add(name)
    for last, names in surnames.items():
        if len(names) == 1:
            forms[last] = names.pop()
    return forms


def _paragraphs_start(text: str, at: int, before: int) -> int:
    """Where the paragraph holding `at` starts, or the one `before` non-empty paragraphs up;
    never more than `ANTECEDENT_CHARS` before `at`."""
    pos, seen, floor = at, 0, max(at - ANTECEDENT_CHARS, 0)
    while True:
        start = text.rfind("\n", floor, pos) + 1 or floor
        seen += bool(text[start:pos].strip())
        if seen > before or start <= floor:
            return max(start, floor)
        pos = start - 1


def _or_persons(forms: dict[str, str] | None, text: str, known: list[str]) -> dict[str, str]:
    return forms if forms is not None else person_forms(text, known)


@functools.lru_cache(maxsize=1)
def _unnamed_role() -> re.Pattern[str]:
    roles = "|".join(sorted(map(re.escape, load_lexicon().titles | load_lexicon().person_nouns)))
    return re.compile(rf"\b(?:[Aa]n?|[Tt]he)\s+(?:[a-z][\w-]*\s+){{0,2}}(?:{roles})\b")


def _antecedent(
    masked: str, passage: QuotePassage, sentence_start: int, forms: dict[str, str]
) -> str | None:
    """The person "he" or "she" most likely stands for: the one person (`forms`, from
    `person_forms`) named in the nearest sentence before the quote's own that names one,
    in the quote's paragraph or the two before it ("Mr. Roe praised the police. “…,” he
    said." -> Roe). None, and the model decides, when that sentence names two people, or
    when a nearer sentence speaks of someone unnamed ("A spokesman declined to comment.")."""
    start = _paragraphs_start(masked, passage.start, CONTEXT_PARAGRAPHS)
    region = masked[start : max(sentence_start, start)]
    ends = [0, *(m.end() for m in SENTENCE_END.finditer(region)), len(region)]
    for a, b in reversed(list(itertools.pairwise(ends))):
        sentence = region[a:b]
        named = {n for f, n in forms.items() if any(_mentions(f, sentence))}
        if named:
            return named.pop() if len(named) == 1 else None
        if _unnamed_role().search(sentence):
            return None
    return None


def _checked(name: str | None, known: list[str]) -> tuple[str | None, bool]:
    """An explicit speaker is one of the article's names, or a name of two words or more; a
    lone unknown word ("Central", a stray initial) leaves the quote to the model."""
    if name and (
        name in known
        or any(name in k.split() or k in name for k in known)
        or len(name.split()) >= 2
    ):
        return name, False
    return None, bool(name)


# "a statement by X", "an indictment released by X"
ISSUED_BY_RE = re.compile(
    rf"(?P<document>{DOCUMENTS})(?: (?:released|issued|filed|published|sent|posted))?"
    rf" (?:by|from) (?:the )?(?P<name>{_NAME})"
)
# "X said in a statement", "In a statement, X said": the document is the speaker's
IN_DOCUMENT_RE = re.compile(rf"\b[Ii]n (?:a|an|its|his|her|their) (?:[a-z][\w-]* )?({DOCUMENTS})\b")
_SPEAKER_RE = re.compile(rf"(?P<name>{_NAME})(?:,[^,“”\"\n]{{3,120}},)?\s+(?:{SPEECH_VERBS})\b")
_DOCUMENT_WORD = re.compile(rf"\b({DOCUMENTS})\b")
# "the statement", "that letter": a document already named
# ("this week a statement" is a new one: no article in between)
_DEFINITE = re.compile(r"\b(?:[Tt]he|[Tt]his|[Tt]hat)\s+(?:(?!(?:a|an|the)\s)[a-z][\w-]*\s+){0,2}$")


@functools.lru_cache(maxsize=8)
def _documents(text: str) -> dict[str, tuple[list[int], list[str | None]]]:
    """Every mention of a new document in the text, by kind: offsets in order and who issued
    each, None where the mention names nobody ("charged in an indictment"). "The statement"
    naming nobody is the one mentioned before, not a new one."""
    issued = {m.start("document"): m.group("name") for m in ISSUED_BY_RE.finditer(text)}
    spoken: dict[int, str] = {}
    for m in IN_DOCUMENT_RE.finditer(text):
        start, end = sentences(text).bounds(m.start(), m.end())
        speaker = _SPEAKER_RE.search(text, start, end)
        if speaker:
            spoken[m.start(1)] = speaker.group("name")
    found: dict[str, tuple[list[int], list[str | None]]] = {}
    for m in _DOCUMENT_WORD.finditer(text):
        issuer = issued.get(m.start()) or spoken.get(m.start())
        if issuer is None and _DEFINITE.search(text, max(m.start() - 40, 0), m.start()):
            continue  # "the statement": the one named before, whoever issued it
        offsets, issuers = found.setdefault(m.group(1), ([], []))
        offsets.append(m.start())
        issuers.append(None if issuer and _possessive(issuer) else issuer)
    return found


def _issuer(text: str, before: int, document: str) -> str | None:
    """Who issued the document of this kind last introduced before `before` ("a statement by
    X", "an indictment released by X", "X said in a statement"); None when it was introduced
    naming nobody ("a statement was read"): an older issuer is not carried over."""
    offsets, issuers = _documents(text).get(document, ([], []))
    at = bisect.bisect_left(offsets, before)
    return issuers[at - 1] if at else None


def _subject(masked: str, bounds: tuple[int, int], known: list[str]) -> str | None:
    """The first name of the sentence, the longest one starting there ("Vale Police
    Department", not "Vale")."""
    sentence = masked[bounds[0] : bounds[1]]
    hits = [(m.start(), -len(name), name) for name in known for m in _mentions(name, sentence)]
    return min(hits)[2] if hits else None


def caveat_for(text: str, passages: list[QuotePassage], index: int) -> str | None:
    """'false' when the quote's sentence says the attribution is false ("falsely claimed
    that X said"), 'unproven' when it reports it as alleged or unverified, else None.
    Only the words outside quotation marks count: a quote may itself say "false"."""
    masked = _masked(text, passages)
    start, end = _sentence_bounds(masked, passages[index].start, passages[index].end)
    words = {w.lower() for w in re.findall(r"[A-Za-z][\w-]*", masked[start:end])}
    lexicon = load_lexicon()
    if words & lexicon.disputed_false:
        return "false"
    if words & lexicon.disputed_unproven:
        return "unproven"
    return None


_QUOTE_ENDS_SENTENCE = re.compile(r"[”\"’']?\s+[“\"‘]?[A-Z]")


def _ends_sentence(text: str, passage: QuotePassage) -> bool:
    """Whether quoted words end their sentence: “… in the Senate.” In 2009 …"""
    return passage.text.rstrip()[-1:] in (".", "?", "!") and bool(
        _QUOTE_ENDS_SENTENCE.match(text, passage.end)
    )


# Words after a quote that attribute it to someone other than a pronoun ("…,” replied the
# mayor", "…,” her rival said", "…,” an aide whispered"); "…,” she added" continues.
_OWN_ATTRIBUTION = re.compile(
    rf"[,.!?]?[”\"]?\s*(?!(?:{_PRONOUN})\b)(?:[\w’'-]+\s+){{0,3}}?(?:{SPEECH_VERBS}|[a-z]+ed)\b"
)
_SENTENCE_INSIDE = re.compile(r"[a-z\d)]{2}[.!?]\s+\S")


def _continues(  # noqa: PLR0911 - one return per reason the run ends
    text: str,
    masked: str,
    passages: list[QuotePassage],
    done: list[Attribution],
    index: int,
    known: list[str],
) -> str | None:
    """The speaker of the quote before, when this one continues it: both in one paragraph,
    the one before attributed with certainty, and nothing between them but its own
    attribution ("“…,” said Jane Roe, a fellow at the institute. “…”", "“…,” Roe said.
    “…,” she added"). Another name between them ends the run."""
    if not index or done[-1].rule not in CERTAIN_RULES or not done[-1].speaker:
        return None
    before, here = passages[index - 1], passages[index]
    if _OWN_ATTRIBUTION.match(masked, here.end):  # “…,” replied the mayor: someone new
        return None
    between = masked[before.end : here.start]
    if "\n" in text[before.end : here.start] or len(between) > 300:
        return None
    if _SENTENCE_INSIDE.search(between.strip(' “”"')):  # "…,” Roe said. Lee disagreed. “…”"
        return None
    speaker = done[-1].speaker
    # Names in a description after the speaker ("said Ann Lee, a fellow at the Vale
    # Institute.") do not end the run; any other name ("Lee said of Sam Poe.") does.
    named = between.find(speaker)
    if named < 0 and _ends_sentence(text, before) and re.search(r"\w", between):
        return None  # “… the worst bill.” Later the board called it “…”: a new sentence
    described = named >= 0 and between[named + len(speaker) :].lstrip().startswith(",")
    for n in known:
        if n in speaker or speaker in n:
            continue
        if any(not (described and m.start() > named) for m in _mentions(n, between)):
            return None
    return speaker


# A sentence whose subject is a name and whose verb reports speech: "Ann Lee said the plan
# would fail.", "Ann Lee, the mayor, told reporters that ..."
_REPORTING = re.compile(
    rf"(?P<name>{_NAME})(?:,[^,“”\"\n]{{3,120}},)?(?:\s+(?:also|then|later|has|have|had)){{0,2}}"
    rf"\s+(?:{SPEECH_VERBS})\b"
)


def _after_reported(
    text: str, masked: str, passage: QuotePassage, bounds: tuple[int, int], known: list[str]
) -> str | None:
    """Who speaks in a quote that is a sentence of its own, with no attribution, right after
    a sentence of the same paragraph that reports one person's words ("Ann Lee said the plan
    would fail. “It is dead.”"): that sentence's subject, when it is a name of the article,
    the sentence holds no quotation, and no one else speaks in it ("Poe said Lee had told
    him to leave.")."""
    sentence = _sentence_before(text, masked, bounds)
    closed = re.sub(r"^[.,!?]*[”\"’']?", "", masked[passage.end : bounds[1]])
    after = re.split(r"[“\"]", closed)[0]
    alone = not (
        masked[bounds[0] : passage.start].strip(" “\"‘'")
        or after.strip(" ”\"’'.,!?")  # up to the next quotation, if one follows
        or _is_title(passage.text)  # “Project Falcon”: a name, not words said
    )
    sentence = _DATELINE.sub("", sentence or "", count=1)
    m = _REPORTING.match(sentence) if alone else None
    if not m or m.group("name").lower() in _PRONOUNS:
        return None
    name, _ = _checked(clean_name(m.group("name"), known), known)
    known_name = name and any(n == name or name in n.split() for n in known)
    return name if known_name and not _OTHER_VOICE.search(sentence, m.end()) else None


# "(Wire) - " or "VALE, Ohio (Wire) — " before a wire story's first sentence
_DATELINE = re.compile(r"^[^()\n]{0,60}\([\w .’'-]{1,30}\)\s*[-–—]+\s*")
# In the reported words, a sign that another voice comes in: another verb of saying ("a
# police officer told her"), a reaction ("Lee disagreed", "a rebuke"), a contrast or a
# second clause ("…, but …", "; …")
_OTHER_VOICE = re.compile(
    rf"\b(?:{SPEECH_VERBS}|{AFTER_QUOTE_VERBS}|asked|asks|demanded|threatened|texted|"
    r"disagreed|disputed|denied|rebuked?|reply|responded|retorted)\b|,\s+(?:but|and|while)\b|;"
)


def _sentence_before(text: str, masked: str, bounds: tuple[int, int]) -> str | None:
    """The sentence before the one at `bounds`, in the same paragraph and without quotation
    marks; None when there is none such."""
    end = len(masked[: bounds[0]].rstrip())
    if not end or "\n" in text[end : bounds[0]]:
        return None  # a new paragraph
    start, stop = _sentence_bounds(masked, end - 1, end - 1)
    sentence = text[start:stop]
    return None if any(mark in sentence for mark in '“”"') else sentence


def attribute_quotes(
    text: str,
    passages: list[QuotePassage],
    *,
    known_names: list[str],
    model_speakers: dict[int, str] | None = None,
) -> list[Attribution]:
    """Attribute each passage (in text order) to a speaker.

    Args:
        text: the article.
        passages: from `harvest_quotes(text)`.
        known_names: actor names and aliases that appear in the article (people first).
        model_speakers: passage index -> the speaker the model gave for the same words.

    Returns:
        One `Attribution` per passage, in the same order.
    """
    masked = _masked(text, passages)
    model_speakers = model_speakers or {}
    forms: dict[str, str] | None = None  # the article's persons, found at the first "he said"
    result: list[Attribution] = []
    previous: str | None = None
    sentence_speaker: dict[tuple[int, int], tuple[str, bool]] = {}
    previous_end = 0
    for index, passage in enumerate(passages):
        bounds = _sentence_bounds(masked, passage.start, passage.end)
        if index and _ends_sentence(text, passages[index - 1]):
            # “… in the Senate.” In 2009 he called it “…”: the quoted words ended a sentence
            bounds = (max(bounds[0], passages[index - 1].end), bounds[1])
        left_start = max(bounds[0], previous_end)
        previous_end = passage.end
        speaker, pronoun = _explicit(text, masked, passage, bounds, known_names, left_start)
        model = model_speakers.get(index)
        if speaker:
            found = Attribution(speaker, "explicit")
        elif continued := _continues(text, masked, passages, result, index, known_names):
            found = Attribution(continued, "continued")
        elif not pronoun and (
            reported := _after_reported(text, masked, passage, bounds, known_names)
        ):  # the sentence before reports this speaker's words: the quote goes on with them
            found = Attribution(reported, "continued")
        elif _he_or_she(masked, passage, left_start) and (
            person := _antecedent(
                masked, passage, bounds[0], forms := _or_persons(forms, text, known_names)
            )
        ):
            found = Attribution(person, "antecedent")
        elif model and model in text:
            found = Attribution(clean_name(model, known_names) or model, "model")
        elif bounds in sentence_speaker:  # another quote of the sentence: its speaker, as
            said, certain = sentence_speaker[bounds]  # certain as that quote's was
            found = Attribution(said, "explicit" if certain else "previous")
        elif pronoun and previous:
            found = Attribution(previous, "previous")
        elif (subject := _subject(masked, bounds, known_names)) and (
            not pronoun or is_person(subject, text)
        ):  # after "he said" or "the official said", only a person the sentence names first
            found = Attribution(subject, "subject")
        else:
            found = Attribution(None, "unattributed")
        if found.speaker:
            previous = found.speaker
            sentence_speaker[bounds] = (found.speaker, found.rule in CERTAIN_RULES)
        result.append(found)
    return _listed(text, masked, passages, result, known_names)


# Between two quoted items of one list: marks, "and"/"or", four lowercase words at most
# (“meals” for the staff and “hotel rooms,” the report said).
_LIST_GAP = re.compile(r"[\s,;”“\"]*(?:(?:[a-z][\w’'-]*|[,;])\s*){0,4}[”“\"]?\s*")


def _listed(
    text: str,
    masked: str,
    passages: list[QuotePassage],
    found: list[Attribution],
    known: list[str],
) -> list[Attribution]:
    """Quoted items of one list share the attribution that follows the list: “travel,”
    “meals” and “hotel rooms,” the report said. Only a few words may stand between items:
    at most four lowercase words, no speech verb, no pronoun (someone else speaking), no
    name, no line or sentence end."""
    out = list(found)
    # the quotes attributed by the words after them, and those the list extends it to
    closing = {
        i
        for i, p in enumerate(passages)
        if found[i].rule == "explicit"
        and _right_speaker(masked, masked[p.end : p.end + 300].lstrip(',.;:!? ”"'), p, known)
        is not None
    }
    for i in range(len(passages) - 2, -1, -1):
        after = out[i + 1]
        if out[i].rule in CERTAIN_RULES or i + 1 not in closing:
            continue
        gap = masked[passages[i].end : passages[i + 1].start]
        if (
            "\n" in gap
            or not _LIST_GAP.fullmatch(gap)
            or re.search(rf"\b(?:{SPEECH_VERBS})\b", gap)
            or re.search(r"\b(?:he|she|they|we|i|it)\b", gap, re.IGNORECASE)
            or _ends_sentence(text, passages[i])
        ):
            continue
        out[i] = Attribution(after.speaker, "explicit")
        closing.add(i)
    return out
