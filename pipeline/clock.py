"""What "today" is: the machine's date, or PIPELINE_TODAY for reproducible builds and tests.

The core never asks the clock itself; the adapters (CLI, MkDocs plugin) ask here and pass the
date in, so every rule that depends on the date can be tested on a fixed day.
"""

from __future__ import annotations

import datetime as dt
import os


def today() -> dt.date:
    """ValueError, with a message for people, when PIPELINE_TODAY is not a date."""
    fixed = os.environ.get("PIPELINE_TODAY")
    if not fixed:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(fixed)
    except ValueError:
        raise ValueError(f"PIPELINE_TODAY must be a date like 2026-01-31, not {fixed!r}") from None
