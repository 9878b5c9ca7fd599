"""summarizer: grounded, cross-checked morning briefs from news articles.

The public API is what `__all__` lists; everything else may change.
"""

from summarizer.articles import LoadResult, load_articles
from summarizer.config import ProviderConfig, resolve_config
from summarizer.errors import (
    ArticleError,
    ConfigError,
    LLMError,
    PromptError,
    ReplayMissError,
    SummarizerError,
)
from summarizer.extract import (
    ExtractionRun,
    aextract,
    aextract_many,
    extract,
    extract_many,
    extract_paths,
)
from summarizer.models import Article, ArticleExtraction, Briefing, Extraction, Failure
from summarizer.pipeline import BriefResult, abrief, brief, briefing_from
from summarizer.render.html import render_html
from summarizer.render.json import render_json
from summarizer.render.markdown import render_markdown

__version__ = "0.1.0"

__all__ = [
    "Article",
    "ArticleError",
    "ArticleExtraction",
    "BriefResult",
    "Briefing",
    "ConfigError",
    "Extraction",
    "ExtractionRun",
    "Failure",
    "LLMError",
    "LoadResult",
    "PromptError",
    "ProviderConfig",
    "ReplayMissError",
    "SummarizerError",
    "__version__",
    "abrief",
    "aextract",
    "aextract_many",
    "brief",
    "briefing_from",
    "extract",
    "extract_many",
    "extract_paths",
    "load_articles",
    "render_html",
    "render_json",
    "render_markdown",
    "resolve_config",
]
