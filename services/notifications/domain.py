"""What a person is told about their case, in Chinese. Pure: no I/O.

A message is made for each decision on a case (approved, rejected, returned for
correction); the other event types only keep the consumer's streams in order or,
for `application_submitted`, tell it the case's owner and number.
"""

from typing import Any

from common import clock
from common.consumer import Message
from common.db import Row
from contracts.applications import APPROVED, REJECTED, RETURNED

DECISIONS = (APPROVED, REJECTED, RETURNED)


def message(event_type: str, event: Message, case_number: str) -> tuple[str, str]:
    """(title, body) of the notification a decision event causes."""
    if event_type == APPROVED:
        body = f"您提交的就业见习人员申请（受理编号 {case_number}）已审核通过。"
        if event.get("comment"):
            body += f"审核意见：{event['comment']}"
        return f"申请已审核通过（{case_number}）", body
    if event_type == REJECTED:
        return (
            f"申请审核不通过（{case_number}）",
            f"您提交的就业见习人员申请（受理编号 {case_number}）审核不通过。原因：{event['reason']}",
        )
    if event_type == RETURNED:
        body = f"您提交的就业见习人员申请（受理编号 {case_number}）被退回补正。退回原因：{event['reason']}"
        items: list[str] = event.get("items") or []
        if items:
            body += "\n需补正的事项：\n" + "\n".join(f"{n}. {item}" for n, item in enumerate(items, 1))
        body += "\n请按要求修改后重新提交。"
        return f"申请被退回补正（{case_number}）", body
    raise ValueError(f"no message for {event_type!r}")


def view(row: Row) -> dict[str, Any]:
    return {
        "notification_id": str(row["notification_id"]),
        "type": row["type"],
        "title": row["title"],
        "body": row["body"],
        "application_id": str(row["application_id"]),
        "case_number": row["case_number"],
        "created_at": clock.iso(row["created_at"]),
        "read": row["read_at"] is not None,
    }
