"""Find every passage inside quotation marks and attribute it to a speaker. Pure.

The model alone misses quotes, so the text is the source of truth: every passage between
straight or curly double quotes is harvested with its offsets. Its speaker comes from the
words around it, by these rules, strongest first:

1. explicit: a speech verb next to a name in the same sentence ("X said", "said X",
   "X, spokesperson for Y, announced that", "according to X", "X stated:" on the line above);
   "according to the statement" names whoever issued the last statement mentioned before;
2. the model's speaker for the same words, when that name appears in the article;
3. a pronoun or description as the subject ("he added", "the senior diplomat emphasized"),
   which takes the previous quote's speaker; or the sentence's subject, when it is a name;
4. otherwise the quote is unattributed.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from summarizer.names import load_lexicon

QUOTE_RE = re.compile(r"“([^”]+)”|\"([^\"\n]+)\"")
SPEECH_VERBS = (
    "said|says|say|added|adds|told|tells|stated|states|noted|notes|stressed|stresses|"
    "emphasized|emphasised|emphasizes|underscored|announced|confirmed|warned|responded|"
    "explained|insisted|argued|wrote|declared|asserted|remarked|replied|urged|reiterated|"
    "addressed [A-Z][a-z]+|noting|warning|stressing|saying|adding"
)
_NAME_TOKEN = r"(?:[A-Z][\w’'.-]*|al-[A-Z][\w’'-]*|bin|de|van|von)"  # noqa: S105 - a regex, not a password
_NAME = rf"{_NAME_TOKEN}(?:\s+{_NAME_TOKEN})*"
_PRONOUN = r"(?:he|she|they|He|She|They)"
# "X said", "X, spokesperson for Y, announced that", "X stated:"
LEFT_RE = re.compile(
    rf"(?P<name>{_NAME}(?:\s+officials)?|{_PRONOUN}|[Tt]he [a-z][\w\s-]*?)"
    rf"(?:,(?P<appos>[^,“”\"]{{3,120}})(?:,[^,“”\"]{{3,120}})?,)?"
    rf"(?:\s+(?:also|then|however|later|again|further),?)*(?:\s+on\s+[A-Z]\w+)?"
    rf"\s+(?P<verb>{SPEECH_VERBS})\b(?P<tail>[^“”\"]{{0,80}})$"
)
ACCORDING_RE = re.compile(rf"[Aa]ccording to (?:a statement by |the )?(?P<name>{_NAME}|statement)")
# "…,” X said" and "…,” said X"
# "…,” Jane Roe, president of the hospital, said" (one description between name and verb)
RIGHT_NAME_VERB_RE = re.compile(
    rf"^[,.!?]?\s*(?P<name>{_NAME}|{_PRONOUN})(?:,[^,“”\"\n]{{3,120}},)?\s+(?:{SPEECH_VERBS})\b"
)
# A lowercase word that is not a preposition or relative: "the family of the victim, Ann
# Lee, said" may name the victim, so such descriptions are not read as the speaker's.
_PLAIN_WORD = r"(?!(?:of|to|for|by|with|from|at|on|in|who|whom|which|that)\b)[a-z][\w’'-]*"
# "…,” Jane Roe’s sister, Ann Lee, wrote" and "…,” the firm’s chief executive, Ann Lee, said"
RIGHT_DESCRIBED_RE = re.compile(
    rf"^[,.!?]?\s*(?:{_NAME}[’']s\s+|(?:[Tt]he|[Aa]n?|[Hh]is|[Hh]er|[Tt]heir)\s+)?"
    rf"{_PLAIN_WORD}(?:\s+{_PLAIN_WORD}){{0,4}},\s+(?P<name>{_NAME}),\s+(?:{SPEECH_VERBS})\b"
)
RIGHT_VERB_NAME_RE = re.compile(rf"^[,.!?]?\s*(?:{SPEECH_VERBS})\s+(?P<name>{_NAME})")


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
    rule: str  # explicit | continued | model | previous | subject | unattributed


#: Rules certain enough that the model is not asked: the text names the speaker next to a
#: speech verb, or the quote continues one so attributed in the same paragraph.
CERTAIN_RULES = frozenset({"explicit", "continued"})


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
SENTENCE_END = re.compile(
    r"(?<=[.!?])(?<!\b[A-Z]\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bSt\.)(?<!\bJr\.)"
    r"(?<!\bMrs\.)[”\"]?\s+(?=[A-Z“\"])|\n"
)
_SENTENCE_END = SENTENCE_END
_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i"})


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
        yield from re.finditer(rf"\b{re.escape(name)}\b", text)


def clean_name(raw: str, known: list[str]) -> str | None:
    """Reduce 'Chief Executive Jane Roe' to a known actor name, or drop leading titles."""
    raw = raw.strip(" ,")
    inside = [n for n in known if any(_mentions(n, raw))]
    if inside:  # the name that ends the phrase is its head: "U.S. Attorney Paul Fishman"
        return max(inside, key=lambda n: (raw.rstrip(" .").endswith(n), len(n)))
    words = raw.split()
    titles = load_lexicon().titles
    while words and (words[0].lower() in titles or words[0].lower().rstrip(".") in titles):
        words.pop(0)
    if not words or words[0][0].islower():
        return None
    return " ".join(words)


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
    for pattern in (RIGHT_NAME_VERB_RE, RIGHT_VERB_NAME_RE, RIGHT_DESCRIBED_RE):
        m = pattern.match(right)
        if m:
            name = m.group("name")
            if name.lower() in _PRONOUNS:
                return None, True
            return _checked(clean_name(name, known), known)
    left = masked[left_start : passage.start].rstrip('“" ')
    if not left.strip():
        line_start = text.rfind("\n", 0, passage.start - 1)
        previous_start = text.rfind("\n", 0, max(line_start, 0)) + 1
        previous = text[previous_start : max(line_start, 0)].strip()
        if previous.endswith(":"):
            left = previous
    m = ACCORDING_RE.search(left)
    if m and m.group("name") != "statement":
        return clean_name(m.group("name"), known), False
    if m:  # "according to the statement": whoever issued the last statement named before
        issuer = _statement_issuer(text, passage.start)
        if issuer:
            return clean_name(issuer, known), False
    m = LEFT_RE.search(left.rstrip(":").rstrip())
    if m:
        name = m.group("name")
        if name.lower() in _PRONOUNS or name[0].islower() or name.startswith("The "):
            return None, True
        before = left[: m.start("name")].rstrip().rsplit(" ", 1)[-1].lower()
        if before in ("a", "an"):  # "…, a Virginia Democrat, said": a description
            return None, True
        appos = (m.group("appos") or "").strip()
        if appos and appos[0].isupper() and appos in known:  # "A spokesman for X, Name, said"
            return appos, False
        return _checked(clean_name(name, known), known)
    return None, False


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


STATEMENT_BY_RE = re.compile(
    rf"statement (?:by|from|issued by) (?:the )?(?P<name>{_NAME})"
    rf"|(?P<name2>{_NAME}) said in a statement"
)


def _statement_issuer(text: str, before: int) -> str | None:
    """Who issued the most recent statement named before `before` ("a statement by X")."""
    issuer = None
    for m in STATEMENT_BY_RE.finditer(text, 0, before):
        issuer = m.group("name") or m.group("name2")
    return issuer


def _subject(masked: str, bounds: tuple[int, int], known: list[str]) -> str | None:
    sentence = masked[bounds[0] : bounds[1]]
    hits = [(m.start(), name) for name in known for m in _mentions(name, sentence)]
    return min(hits)[1] if hits else None


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
        elif model and model in text:
            found = Attribution(clean_name(model, known_names) or model, "model")
        elif bounds in sentence_speaker:  # another quote of the sentence: its speaker, as
            said, certain = sentence_speaker[bounds]  # certain as that quote's was
            found = Attribution(said, "explicit" if certain else "previous")
        elif pronoun and previous:
            found = Attribution(previous, "previous")
        elif subject := _subject(masked, bounds, known_names):
            found = Attribution(subject, "subject")
        else:
            found = Attribution(None, "unattributed")
        if found.speaker:
            previous = found.speaker
            sentence_speaker[bounds] = (found.speaker, found.rule in CERTAIN_RULES)
        result.append(found)
    return result
