"""Renderers: pure functions from results to text. They never import the LLM layer."""

#: Terminal and display controls an article or a model may carry: C0 controls but tab and
#: line feed (ESC starts the sequences that retitle or clear a terminal), DEL, C1 controls,
#: and the bidi embeddings, overrides and isolates that reorder what is shown (U+202E).
UNSAFE_CONTROLS = frozenset(
    [
        *(c for c in range(0x20) if c not in (0x09, 0x0A)),
        *range(0x7F, 0xA0),
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    ]
)
_DROP = dict.fromkeys(UNSAFE_CONTROLS)
#: The same, written as JSON escapes: the JSON brief keeps the data, but raw they never are.
_JSON_ESCAPES = {c: f"\\u{c:04x}" for c in UNSAFE_CONTROLS}


def printable(text: str) -> str:
    """Text with terminal controls and bidi overrides removed (tab and line feed kept)."""
    return text.translate(_DROP)


def json_safe(text: str) -> str:
    """JSON text with every control and bidi override escaped (the same JSON value)."""
    return text.translate(_JSON_ESCAPES)


#: What a quote's caveat means, as every format words it.
CAVEATS = {
    "false": "the source reports this attribution as false",
    "unproven": "the source reports this attribution as alleged, not established",
}
