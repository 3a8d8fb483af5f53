"""Time in the province: dates and months are Asia/Shanghai calendar dates."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return now().astimezone(SHANGHAI).date()


def iso(instant: datetime | None) -> str | None:
    """An instant as the API shows it: ISO 8601 with the Shanghai offset."""
    return instant.astimezone(SHANGHAI).isoformat(timespec="seconds") if instant else None


def month_range(month: str) -> tuple[datetime, datetime]:
    """[start, end) instants of a `YYYY-MM` calendar month in Asia/Shanghai."""
    year, number = map(int, month.split("-"))
    start = datetime(year, number, 1, tzinfo=SHANGHAI)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=SHANGHAI)
    return start, end
