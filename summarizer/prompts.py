"""Load and render the versioned prompt files in `prompts/` (name.vN.yaml)."""

from __future__ import annotations

import re
import string
from functools import cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from summarizer.errors import PromptError

DEFAULT_PROMPT = "extract_article"
DEFAULT_VERSION = "2"
#: An <article> or <passage> tag in any case and spacing, with a slash or attributes after
#: the name ("</article/>", "</article x>"): each would read to the model as the fence.
_FENCE_TAG = re.compile(r"<\s*(/?)\s*(article|passage)(\b[^<>]*)?>", re.IGNORECASE)
#: Everything str.splitlines() splits on: a field shown as one line holds none of them.
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x85\x0b\x0c\x1c\x1d\x1e]+")


def fence_text(text: str) -> str:
    """Article text that cannot close or open its own <article> fence, in any case or
    spacing of the tag ("</ARTICLE>", "< /article >", "</article/>"): a zero-width space
    breaks the tag."""
    return _FENCE_TAG.sub(
        lambda m: f"<\u200b{m.group(1)}{m.group(2)}{(m.group(3) or '').strip()}>", text
    )


def fence_line(value: str) -> str:
    """A field from an article (title, outlet, id, a name) as one fenced line of data."""
    return fence_text(_LINE_BREAKS.sub(" ", value)).strip()


class PromptTemplate(BaseModel):
    """One prompt file: a name, a version, the variables it takes, and its two messages."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: str
    variables: tuple[str, ...]
    system: str
    user: str
    #: A question about one quote and the passage it stands in (v2 on).
    quote_variables: tuple[str, ...] = ()
    quote_system: str = ""
    quote: str = ""

    def render(self, **values: str) -> tuple[str, str]:
        """Fill the template.

        Args:
            **values: one value per declared variable.

        Returns:
            The system and user messages.

        Raises:
            PromptError: a declared variable is missing, or an unknown one is given.
        """
        return self._fill(self.variables, self.system, self.user, values)

    def render_quote(self, **values: str) -> tuple[str, str]:
        """Fill the question about one quote (v2 on): its system and user messages.

        Raises:
            PromptError: the template has no quote question, or a variable is missing or
                unknown.
        """
        if not self.quote:
            raise PromptError(f"prompt {self.name}.v{self.version}: has no quote question")
        return self._fill(self.quote_variables, self.quote_system, self.quote, values)

    def _fill(
        self, declared: tuple[str, ...], system: str, user: str, values: dict[str, str]
    ) -> tuple[str, str]:
        missing = sorted(set(declared) - set(values))
        extra = sorted(set(values) - set(declared))
        if missing or extra:
            raise PromptError(
                f"prompt {self.name}.v{self.version}: missing {missing}, unexpected {extra}"
            )
        try:
            return (
                string.Template(system).substitute(values),
                string.Template(user).substitute(values),
            )
        except (KeyError, ValueError) as e:
            raise PromptError(f"prompt {self.name}.v{self.version}: bad placeholder {e}") from e


def prompts_dir() -> Path:
    """The folder holding prompt files: the checkout's `prompts/`, else the installed copy."""
    checkout = Path(__file__).resolve().parent.parent / "prompts"
    if checkout.is_dir():
        return checkout
    return Path(str(resources.files("summarizer") / "_data" / "prompts"))


@cache
def load_prompt(name: str = DEFAULT_PROMPT, version: str = DEFAULT_VERSION) -> PromptTemplate:
    """Read `prompts/<name>.v<version>.yaml`.

    Raises:
        PromptError: the file is missing, is not YAML, or does not match its declared name.
    """
    path = prompts_dir() / f"{name}.v{version}.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        template = PromptTemplate.model_validate(raw)
    except FileNotFoundError as e:
        raise PromptError(f"{path}: no such prompt file") from e
    except (yaml.YAMLError, ValidationError) as e:
        raise PromptError(f"{path}: invalid prompt file: {e}") from e
    if (template.name, template.version) != (name, version):
        raise PromptError(
            f"{path}: declares {template.name}.v{template.version}, expected {name}.v{version}"
        )
    return template
