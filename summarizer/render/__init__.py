"""Renderers: pure functions from results to text. They never import the LLM layer."""

#: What a quote's caveat means, as every format words it.
CAVEATS = {
    "false": "the source reports this attribution as false",
    "unproven": "the source reports this attribution as alleged, not established",
}
