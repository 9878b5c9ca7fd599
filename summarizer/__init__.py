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
from summarizer.models import Article, ArticleExtraction, Extraction, Failure

__version__ = "0.1.0"

__all__ = [
    "Article",
    "ArticleError",
    "ArticleExtraction",
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
    "aextract",
    "aextract_many",
    "extract",
    "extract_many",
    "extract_paths",
    "load_articles",
    "resolve_config",
]
