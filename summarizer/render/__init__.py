"""Renderers: pure functions from results to text. They never import the LLM layer."""
