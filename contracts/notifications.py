"""Notifications (消息提醒): the inbox's query and response schemas."""

from marshmallow import Schema, fields

from common.paging import PageQuery


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


class NotificationPageSchema(Schema):
    """A page of the caller's messages (the contract's paging) with their unread count."""

    items = fields.List(fields.Nested(NotificationSchema))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()
    unread = fields.Integer(metadata={"description": "本人未读消息数"})
