"""Find the names an article mentions, with offsets, and fold their short forms. Pure.

A name is a run of capitalised words ("Jane Roe", "Vale Transit Police",
"Department of Justice"). Function words, months and weekdays are not names; a title
before a person's name is dropped ("German Chancellor Olaf Scholz" -> "Olaf Scholz"); a
capitalised word whose lowercase form the article also uses ("Officials said") is a sentence
opening, not a name. The lists behind these rules are data (`summarizer/data/lexicon.*.yaml`).

These names are the answers the model may give for "who said this" and "who takes part",
so every speaker and actor in the brief is a string found in the article.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import yaml

LEXICON_VERSION = "1"
# A capitalised word; its hyphenated parts are capitalised too ("Lee-Park"), so in
# "Lisbon-based Acme" the compound adjective leaves "Lisbon" and "Acme".
_TOKEN = r"[A-Z](?:[\w’'.&]*[\w.])?(?:-[A-Z\d](?:[\w’'.&]*[\w.])?)*(?:(?<=s)[’'](?=\s+[A-Z]))?"  # noqa: S105
_JOIN = r"(?:\s+(?:of|for|and|de|del|da|van|von|der|al|bin|ibn|la|le|du)(?=\s+[A-Z]))?"
NAME_RE = re.compile(rf"(?<![\w’'-]){_TOKEN}(?:{_JOIN}[ \t]+{_TOKEN}|-{_TOKEN})*")
_POSSESSIVE = re.compile(r"[’']s?$")
_SUFFIXES = frozenset({"Jr", "Sr", "II", "III", "IV"})
# A contraction ("I’m", "We’ve"): a capitalised word that is not (part of) a name.
_MODIFIER = re.compile(r"[’'](?:m|re|ve|ll|d)[.,;:]?$")
# A name after "a"/"an" that ends its phrase ("a Virginia Democrat, said", "an American who")
# describes someone; "an Apple spokesman" keeps Apple, a noun follows it.
_INDEFINITE = re.compile(r"(?:^|\s)(?:a|an|A|An)\s+$")
_PHRASE_END = re.compile(r"\s*(?:[,.;:!?)—–]|(?:who|whom|whose|which|that|and|or|from|with)\b|$)")


@dataclass(frozen=True)
class Lexicon:
    """Word lists the name finder uses (lowercase)."""

    version: str
    function_words: frozenset[str]
    calendar_words: frozenset[str]
    titles: frozenset[str]
    organisation_words: frozenset[str]
    people_nouns: frozenset[str]
    place_heads: frozenset[str]
    event_kinds: tuple[tuple[str, tuple[str, ...]], ...]
    disputed_false: frozenset[str]
    disputed_unproven: frozenset[str]
    name_particles: frozenset[str] = frozenset()
    person_nouns: frozenset[str] = frozenset()
    abbreviations: frozenset[str] = frozenset()
    number_labels: frozenset[str] = frozenset()


@cache
def load_lexicon(version: str = LEXICON_VERSION) -> Lexicon:
    """Read `summarizer/data/lexicon.v<version>.yaml`."""
    path = resources.files("summarizer") / "data" / f"lexicon.v{version}.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))

    def words(key: str) -> frozenset[str]:
        return frozenset(str(raw[key]).lower().split())

    return Lexicon(
        version=str(raw["version"]),
        function_words=words("function_words"),
        calendar_words=words("calendar_words"),
        titles=words("titles"),
        organisation_words=words("organisation_words"),
        people_nouns=words("people_nouns"),
        place_heads=words("place_heads"),
        event_kinds=tuple((str(k), tuple(map(str, v))) for k, v in raw["event_kinds"].items()),
        disputed_false=words("disputed_false"),
        disputed_unproven=words("disputed_unproven"),
        name_particles=words("name_particles"),
        person_nouns=words("person_nouns"),
        abbreviations=words("abbreviations"),
        number_labels=words("number_labels"),
    )


@dataclass(frozen=True)
class NameMention:
    """One mention of a name: the name as the article spells it (titles dropped), and where."""

    name: str
    start: int
    end: int


def _is_org(words: list[str], lexicon: Lexicon) -> bool:
    return any(w.lower().strip(".,") in lexicon.organisation_words for w in words)


def _plain(word: str) -> str:
    return _POSSESSIVE.sub("", word.lower().strip(".,;:"))


def _runs(words: list[str], lexicon: Lexicon) -> list[tuple[int, int]]:
    """Split a capitalised run where it is two names: after a sentence-ending full stop
    ("Acme. Vantor"), and at "of"/"for" unless an organisation or title word stands
    before it ("Department of Justice", but "Daniel Ives of GBH Insights")."""
    runs, begin = [], 0
    org_end = bool(words) and _plain(words[-1]) in lexicon.organisation_words
    for i, word in enumerate(words):
        lower = word.lower()
        if _MODIFIER.search(word):  # "I’m", "We’ve": a contraction, not part of a name
            runs.append((begin, i))
            begin = i + 1
            continue
        if lower == "and" and not org_end:  # "Italy and Hawaii", but "Food and Drug
            runs.append((begin, i))  # Administration"
            begin = i + 1
            continue
        if lower in ("of", "for") and i > begin:
            before = _plain(words[i - 1])
            if before not in lexicon.organisation_words and before not in lexicon.titles:
                runs.append((begin, i))
                begin = i + 1
                continue
        core = word.rstrip(".")
        if word.endswith(".") and len(core) > 3 and "." not in core and i + 1 < len(words):
            runs.append((begin, i + 1))
            begin = i + 1
    runs.append((begin, len(words)))
    return [(a, b) for a, b in runs if b > a]


def _strip(words: list[str], lexicon: Lexicon, common: set[str]) -> tuple[int, int]:
    """The [first, last) words of a run that make a name."""
    first, last = 0, len(words)
    lower = [_plain(w) for w in words]
    while first < last and (
        lower[first] in lexicon.function_words or lower[first] in lexicon.calendar_words
    ):
        first += 1
    while last > first and (
        lower[last - 1] in lexicon.function_words or lower[last - 1] in lexicon.calendar_words
    ):
        last -= 1
    if last - first >= 2 and not _is_org(words[last - 1 : last], lexicon):
        # a title, and what stands before it ("Apple CEO", "Secretary of State"), is no name
        titled = [i for i in range(first, last - 1) if lower[i].strip(",") in lexicon.titles]
        if titled:
            cut = titled[-1] + 1
            while cut < last - 1 and lower[cut] in ("of", "for"):
                cut += 2
            first = min(cut, last - 1)
    if last - first == 1:
        word = lower[first]
        if word in lexicon.titles or word in common:
            return first, first
    return first, last


def find_names(text: str, lexicon: Lexicon | None = None) -> list[NameMention]:
    """Every name mention in `text`, in text order.

    Args:
        text: the article.
        lexicon: the word lists (default: the current version).
    """
    return list(_find_names(text, lexicon or load_lexicon()))


@lru_cache(maxsize=64)
def _find_names(text: str, lexicon: Lexicon) -> tuple[NameMention, ...]:
    """find_names, remembered for the last articles: grounding asks for one article's names
    from several places (quotes, figures, terms), and the answer is a pure function."""
    common = {w.lower() for w in re.findall(r"(?<![\w’'-])[a-z][\w’'-]*", text)}
    found: list[NameMention] = []
    opening: list[NameMention] = []  # one word opening a sentence: a name only if repeated
    for m in NAME_RE.finditer(text):
        raw = m.group(0)
        all_spans = [(w.start(), w.end()) for w in re.finditer(r"\S+", raw)]
        all_words = [raw[a:b] for a, b in all_spans]
        for a, b in _runs(all_words, lexicon):
            spans, words = all_spans[a:b], all_words[a:b]
            first, last = _strip(words, lexicon, common)
            if first >= last:
                continue
            if last - first >= 2 and all(w.isupper() for w in words[first:last]):
                continue  # a headline or dateline in capitals, not a name
            start = m.start() + spans[first][0]
            end = m.start() + spans[last - 1][1]
            name = _POSSESSIVE.sub("", text[start:end]).rstrip(".,;:")
            if len(name) < 2 or name.isdigit():
                continue
            mention = NameMention(name, start, start + len(name))
            before = text[max(0, start - 3) : start].rstrip(" “\"‘'")
            if " " not in name and (not before or before[-1] in ".!?\n:"):
                opening.append(mention)
            else:
                found.append(mention)
    seen = {m.name for m in found}
    counts = Counter(m.name for m in opening)
    repeated = {name for name, n in counts.items() if n > 1}
    found += [m for m in opening if m.name in seen or m.name in repeated]
    described = {
        m.name
        for m in found
        if _INDEFINITE.search(text, max(0, m.start - 4), m.start) and _PHRASE_END.match(text, m.end)
    }
    return tuple(sorted((m for m in found if m.name not in described), key=lambda m: m.start))


def full_forms(mentions: list[NameMention]) -> dict[str, str]:
    """Short form -> the longer name it stands for, when exactly one longer name fits.

    "Roe" -> "Jane Roe" (a last word); "Lee" stays itself when the article names two
    Lees. Only names of several words lend their last word.
    """
    longer: dict[str, set[str]] = {}
    names = {m.name for m in mentions}
    for name in names:
        words = [w for w in name.split() if w.rstrip(".") not in _SUFFIXES]
        if len(words) >= 2:
            longer.setdefault(words[-1], set()).add(name)
            longer.setdefault(words[0], set())  # a first word alone is ambiguous: no fold
    out: dict[str, str] = {}
    spelled = {n.casefold(): n for n in sorted(names) if not n.isupper()}
    for name in names:
        options = longer.get(name, set())
        if len(options) == 1 and " " not in name:
            out[name] = next(iter(options))
        elif name.isupper() and len(name) > 4 and name.casefold() in spelled:
            out[name] = spelled[name.casefold()]  # "LONDON" in a dateline is London
    return out


def candidates(text: str, lexicon: Lexicon | None = None, limit: int = 80) -> list[str]:
    """The distinct full names of an article, most mentioned first (ties: first seen).

    Short forms are folded into their full name, so each person appears once.
    """
    mentions = find_names(text, lexicon)
    fold = full_forms(mentions)
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for m in mentions:
        name = fold.get(m.name, m.name)
        counts[name] = counts.get(name, 0) + 1
        first.setdefault(name, m.start)
    ranked = sorted(counts, key=lambda n: (-counts[n], first[n]))[:limit]
    return sorted(ranked, key=lambda n: first[n])


def particle_full_form(text: str, name: str, lexicon: Lexicon | None = None) -> str | None:
    """The full name a one-word name stands for through a name particle, when the article
    gives exactly one: "Said" or "Karim" -> "Karim al-Said"; None otherwise."""
    if " " in name or not name[:1].isupper():
        return None
    found = {
        full
        for full in _particle_names(text, lexicon or load_lexicon())
        if name in (full.split()[0], re.split(r"[\s-]", full)[-1])
    }
    return found.pop() if len(found) == 1 else None


@lru_cache(maxsize=64)
def _particle_names(text: str, lexicon: Lexicon) -> frozenset[str]:
    """Every "Word particle(s) Word" name in the text ("Karim al-Said", "Anna von der
    Berg"), spaces normalised."""
    particles = "|".join(sorted(map(re.escape, lexicon.name_particles)))
    pattern = re.compile(
        rf"(?<![\w’'-])[A-Z][\w’']+\s+(?:{particles})(?:[- ](?:{particles}))*[- ][A-Z][\w’']+"
        rf"(?![\w’'-])"
    )
    return frozenset(" ".join(m.group(0).split()) for m in pattern.finditer(text))


def is_organisation(name: str, lexicon: Lexicon | None = None) -> bool:
    """Whether a name ends in an organisation word ("Foreign Ministry", "Justice Department")."""
    words = name.split()
    return bool(words) and _is_org(words[-1:], lexicon or load_lexicon())


@dataclass(frozen=True)
class _PersonMarks:
    """What marks names as people's in one text, found in two passes over it."""

    #: Capitalised words that follow a title ("President Jane Q. Roe": Jane, Q., Roe).
    titled: frozenset[str]
    #: Capitalised runs described by a role after a comma ("Jane Roe, a former judge,").
    described: tuple[str, ...]


_CAPITAL = r"[A-Z][\w’'.-]*"


@lru_cache(maxsize=8)
def _person_marks(text: str) -> _PersonMarks:
    lexicon = load_lexicon()
    titles = {t.rstrip(".") for t in lexicon.titles}
    titles |= {t[:1].upper() + t[1:] for t in titles}  # "actor Jane Roe", "Mayor Jane Roe"
    title_re = "|".join(re.escape(t) for t in sorted(titles, key=len, reverse=True))
    titled: set[str] = set()
    for m in re.finditer(  # "Deputy Attorney General Jane Q. Roe": titles, then the name
        rf"(?<![\w.])(?:(?:{title_re})\.?\s+)+((?:{_CAPITAL}\s+){{0,3}}{_CAPITAL})", text
    ):
        titled.update(w.rstrip(".,") for w in m.group(1).split())
    roles = "|".join(sorted(map(re.escape, lexicon.titles | lexicon.person_nouns)))
    described = tuple(
        " ".join(m.group(1).split())
        for m in re.finditer(
            rf"((?:{_CAPITAL}\s+)*{_CAPITAL}),\s+(?:who\b|(?:a|an|the|his|her)\s+"
            rf"(?:[\w’'.-]+\s+){{0,3}}?(?:{roles})\b)",
            text,
        )
    )
    return _PersonMarks(frozenset(titled), described)


def is_person(name: str, text: str) -> bool:
    """Whether the text marks the name as a person's: a title before it ("Mr. Roe", "Rabbi
    Jane Roe"), or a role after the full name and a comma ("Jane Roe, a former judge,",
    "Ann Lee, who"); a company, a place or a building carries neither. A title word that
    begins the name itself ("General Motors", "King County") marks nothing.

    Two passes over the text find every mark (remembered per text), so asking about every
    name of a long text stays linear."""
    words = name.split()
    if not words or is_organisation(name):
        return False
    marks = _person_marks(text)
    lexicon = load_lexicon()
    if words[0].lower().rstrip(".") in lexicon.titles:
        return False
    if words[-1] in marks.titled:
        return True
    return len(words) > 1 and any(d == name or d.endswith(" " + name) for d in marks.described)


def person_core(name: str, lexicon: Lexicon | None = None) -> str:
    """A name without the titles and descriptions before it: what follows the last title
    word ("Finance Minister Jane Roe" -> "Jane Roe", "EU policy chief Ann Lee" -> "Ann Lee").
    Names of organisations are returned whole."""
    return _person_core(name, lexicon or load_lexicon())


@lru_cache(maxsize=65536)
def _person_core(name: str, lexicon: Lexicon) -> str:
    """person_core, remembered: the merge asks for the same names many times."""
    words = name.replace("(", " ").replace(")", " ").split()
    if not words or _is_org(words[-1:], lexicon):
        return " ".join(words).strip(" ,.")
    lower = [_plain(w) for w in words]
    titled = [i for i in range(len(words) - 1) if lower[i] in lexicon.titles]
    if titled:
        words = words[titled[-1] + 1 :]
    while len(words) > 1 and (lower[len(lower) - len(words)] in lexicon.function_words):
        words = words[1:]
    while len(words) > 1 and words[0][0].islower():
        words = words[1:]
    return " ".join(words).strip(" ,.")
