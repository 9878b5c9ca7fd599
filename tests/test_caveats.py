"""A quote the article reports as falsely or only allegedly said is flagged in every format."""

from __future__ import annotations

import json

import pytest

from summarizer.articles import content_hash
from summarizer.ground import ground
from summarizer.merge import merge
from summarizer.models import Article, ArticleExtraction, Extraction, ExtractionMeta
from summarizer.render.html import render_html
from summarizer.render.json import render_json
from summarizer.render.markdown import render_markdown

FAKE = (
    'A viral post falsely claimed that President Joe Biden said "I personally ordered the '
    'strike", fact-checkers found.\n'
    "The senator allegedly told aides “we will never vote for it.”\n"
    "The mayor said “the bridge reopens Monday.”\n"
)


def _brief(text: str) -> tuple[object, str]:
    article = Article(id="a", path="a.txt", text=text, content_hash=content_hash(text))
    data = ArticleExtraction(headline="H", summary="S.", actors=[], quotes=[], figures=[], dates=[])
    meta = ExtractionMeta(
        article_id="a",
        content_hash=article.content_hash,
        provider="p",
        model="m",
        prompt_name="x",
        prompt_version="2",
    )
    return merge([ground(Extraction(article=article, data=data, meta=meta))]), text


@pytest.mark.parametrize("render", ["markdown", "json", "html"])
def test_false_and_alleged_attributions_are_flagged(render: str) -> None:
    """'falsely claimed that X said' is flagged false, 'allegedly told' unproven, a plain
    'said' not at all, whatever the format."""
    briefing, text = _brief(FAKE)
    quotes = {q.text: q.caveat for s in briefing.stories for q in (*s.quotes, *s.unattributed)}
    assert quotes == {
        "I personally ordered the strike": "false",
        "we will never vote for it.": "unproven",
        "the bridge reopens Monday.": None,
    }
    out = {
        "markdown": lambda: render_markdown(briefing),
        "json": lambda: render_json(briefing),
        "html": lambda: render_html(briefing, {"a": text}),
    }[render]()
    if render == "json":
        caveats = sorted(
            q["caveat"]
            for s in json.loads(out)["stories"]
            for q in (*s["quotes"], *s["unattributed"])
            if q["caveat"]
        )
        assert caveats == ["false", "unproven"]
    else:
        assert "reports this attribution as false" in out
        assert "alleged, not established" in out
