"""Token prices and budgets. Prices are USD per million tokens; users can add their own.

A price file (JSON) maps model names to {"input": USD, "output": USD} per million tokens;
point `SUMMARIZER_PRICES` or `--prices` at it. Its entries override the built-in table.
"""

from __future__ import annotations

import json
import math
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from summarizer.errors import ConfigError
from summarizer.models import Usage

#: USD per million tokens (input, output), OpenAI list prices.
BUILTIN_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
}


def load_prices(path: str | os.PathLike[str] | None = None) -> dict[str, tuple[float, float]]:
    """The built-in table, extended by a JSON price file (argument, else SUMMARIZER_PRICES).

    Raises:
        ConfigError: the file is unreadable or an entry is not {"input": n, "output": n}.
    """
    prices = dict(BUILTIN_PRICES)
    source = path or os.environ.get("SUMMARIZER_PRICES")
    if not source:
        return prices
    try:
        raw = json.loads(Path(source).read_text(encoding="utf-8"))
        for model, entry in raw.items():
            pair = (float(entry["input"]), float(entry["output"]))
            if not all(math.isfinite(p) and p >= 0 for p in pair):
                raise ValueError(f"{model}: prices must be zero or more, not {list(pair)}")
            prices[str(model)] = pair
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise ConfigError(
            f"{source}: bad price file ({e}); expected "
            '{"model": {"input": USD_per_million, "output": USD_per_million}}'
        ) from e
    return prices


def cost_usd(model: str, usage: Usage, prices: dict[str, tuple[float, float]]) -> float | None:
    """Dollars for this usage, or None when the model's price is not known."""
    if model not in prices:
        return None
    per_in, per_out = prices[model]
    return round((usage.prompt_tokens * per_in + usage.completion_tokens * per_out) / 1e6, 6)


def dollars(value: float) -> str:
    """A dollar amount: to the cent, or to as many decimals as it needs below a cent."""
    if value == 0 or abs(value) >= 0.01:
        return f"${value:,.2f}"
    return f"${value:.8f}".rstrip("0")


@dataclass
class Budget:
    """Stops new model calls once tokens or dollars spent reach a limit. Thread-safe."""

    max_tokens: int | None = None
    max_cost_usd: float | None = None
    model: str = ""
    prices: dict[str, tuple[float, float]] = field(default_factory=dict)
    spent: Usage = field(default_factory=Usage)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.max_cost_usd is not None and self.model not in self.prices:
            raise ConfigError(
                f"--max-cost needs a price for model {self.model!r}: add it to a price file "
                "(SUMMARIZER_PRICES) or use --max-tokens"
            )

    def spend(self, usage: Usage) -> None:
        """Record what a call cost."""
        with self._lock:
            self.spent = self.spent + usage

    def exhausted(self) -> str | None:
        """Why no new call may start, or None while there is budget left."""
        with self._lock:
            if self.max_tokens is not None and self.spent.total_tokens >= self.max_tokens:
                return f"token budget of {self.max_tokens:,} reached"
            cost = cost_usd(self.model, self.spent, self.prices)
            if self.max_cost_usd is not None and cost is not None and cost >= self.max_cost_usd:
                return f"cost budget of {dollars(self.max_cost_usd)} reached"
        return None
