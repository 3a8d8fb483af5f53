"""Notifications (消息提醒): the inbox's query and response schemas."""
from marshmallow import Schema, fields

from common.paging import PageQuery, page_schema


class NotificationsQuery(PageQuery):
    pass


class NotificationSchema(Schema):
    notification_id = fields.UUID()
    type = fields.String(metadata={"description": "引起该消息的事件类型，如 application_returned"})
    title = fields.String()
    body = fields.String()
    application_id = fields.UUID()
    case_number = fields.String()
    created_at = fields.DateTime()
    read = fields.Boolean()


class NotificationPageSchema(page_schema(NotificationSchema, "NotificationPage")):
    unread = fields.Integer(metadata={"description": "本人未读消息数"})
