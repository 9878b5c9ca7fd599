"""Keep keys out of every message: the key itself, and any masked form a server echoes.

A server may echo the request's headers or a masked key back ("Bearer sk-…",
"gsk_SECR*****7890", "AIza...wxyz"). `redact` removes all of them from a text. The keys in
use are registered once (`remember`), so a logging filter can redact without knowing them.
Pure: no imports beyond the standard library.
"""

from __future__ import annotations

import logging
import re
import threading

_KEYS: set[str] = set()
_LOCK = threading.Lock()
#: Key-like words a server may echo back ("Incorrect API key provided: sk-ab***").
_KEYLIKE = re.compile(r"\b(?:(?:sk|rk|pk|key|gsk|xai)[-_][\w*.~-]{4,}|AIza[\w*.~-]{6,})")
#: A credential after its scheme word: long, and with a digit, so "basic needs" stays.
_BEARER = re.compile(r"\b(bearer|basic|api-key:?)\s+(?=[^\s]*\d)[\w.~+/=*-]{8,}", re.I)
_TOKEN = re.compile(r"[\w*.~+/=-]{6,}")
#: Masking marks: "***", "…", "...".
_MASKED = re.compile(r"\*{2,}|\.{3}|…")
#: Characters of a key's start or end that make a word its masked form.
_EDGE = 4


def remember(key: str | None) -> None:
    """Redact this key (and its masked forms) from every text `redact` sees from now on."""
    if key and len(key) >= 2 * _EDGE:
        with _LOCK:
            _KEYS.add(key)


def _masked_form(token: str, key: str) -> bool:
    if key in token:
        return True
    if token.startswith(key[:_EDGE]) or token.endswith(key[-_EDGE:]):
        return True
    return bool(_MASKED.search(token)) and any(
        part and (part in key) for part in re.split(r"\*+|\.{3}|…", token) if len(part) >= _EDGE
    )


def redact_known(text: str) -> str:
    """`text` with every key in use replaced by [key], and nothing else changed (cassettes:
    a recorded body stays byte for byte what the server sent, unless it holds a key)."""
    for known in set(_KEYS):
        text = text.replace(known, "[key]")
    return text


def redact(text: str, key: str | None = None) -> str:
    """`text` with every key, key-like word and masked form of a known key replaced by [key]."""
    keys = set(_KEYS)
    if key and len(key) >= 2 * _EDGE:
        keys.add(key)
    for known in keys:
        text = text.replace(known, "[key]")
    text = _BEARER.sub(lambda m: f"{m.group(1)} [key]", text)
    text = _KEYLIKE.sub("[key]", text)
    if keys:
        text = _TOKEN.sub(
            lambda m: "[key]" if any(_masked_form(m.group(), k) for k in keys) else m.group(),
            text,
        )
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that redacts every record's message (add it to a handler)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True
