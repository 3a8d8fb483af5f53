"""Time in the province: dates and months are Asia/Shanghai calendar dates."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now():
    return datetime.now(UTC)


def today():
    return now().astimezone(SHANGHAI).date()


def iso(instant):
    """An instant as the API shows it: ISO 8601 with the Shanghai offset."""
    return instant.astimezone(SHANGHAI).isoformat(timespec="seconds") if instant else None
