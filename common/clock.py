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
