"""The whole exception hierarchy of summarizer. Imports nothing on purpose."""

#: Line breaks, C0/C1 controls and bidi overrides, written as escapes in a one-line message.
_UNPRINTABLE = {
    code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    for code in [
        *range(0x20),
        *range(0x7F, 0xA0),
        0x2028,
        0x2029,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    ]
} | {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}


def one_line(text: str) -> str:
    """Text as one printable line: a newline or escape sequence in a file name (say) is shown
    as `\\n` or `\\x1b`, so it cannot split a message or drive the terminal."""
    return text.translate(_UNPRINTABLE)


class SummarizerError(Exception):
    """Base for every error the library raises."""


class ConfigError(SummarizerError):
    """No usable provider, model, key or server configuration."""


class ArticleError(SummarizerError):
    """An input article is unreadable or invalid. The message names the file."""

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"{one_line(source)}: {one_line(problem)}")


class PromptError(SummarizerError):
    """A prompt template file is missing, malformed or rendered with a missing variable."""


class LLMError(SummarizerError):
    """A call to the model failed for good, after retries and re-asks.

    Attributes:
        article_id: the article whose extraction failed, when known.
        attempts: how many HTTP requests were made (retries and re-asks included).
        usage: token usage spent on the failed attempts, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        article_id: str | None = None,
        attempts: int = 0,
        usage: dict[str, int] | None = None,
    ) -> None:
        self.article_id = article_id
        self.attempts = attempts
        self.usage = usage or {}
        super().__init__(message)


class BudgetError(LLMError):
    """Not sent, or stopped between parts: the run's token or cost budget was reached."""


class ReplayMissError(LLMError):
    """Replay mode found no recording for a request."""


class BatchError(SummarizerError):
    """A Batch API job cannot be submitted, found or collected yet; the message says why."""
