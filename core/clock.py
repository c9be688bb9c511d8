"""The one clock for timestamps: timezone-aware UTC (shown in local time by the pages)."""
from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
