"""Notifications endpoints (消息提醒): any logged-in person's own messages."""

from nameko.rpc import RpcProxy
from werkzeug.wrappers import Response

from common.rpc import call
from contracts import notifications as schemas
from gateway import inputs
from gateway.http import json_response, route

TAG = "消息提醒"


class NotificationsRoutes:
    notifications = RpcProxy("notifications")

    @route(
        "GET",
        "/api/v1/notifications",
        "我的消息（最新在前，含未读数）",
        TAG,
        auth=True,
        query=schemas.NotificationsQuery,
        response=schemas.NotificationPageSchema,
        errors=(400,),
    )
    def list_notifications(self, request, principal):
        query = inputs.query(request, schemas.NotificationsQuery())
        return json_response(call(self.notifications.notifications, principal.as_rpc(), query))

    @route("POST", "/api/v1/notifications/read-all", "全部标为已读", TAG, auth=True, status=204)
    def read_all_notifications(self, request, principal):
        call(self.notifications.mark_all_read, principal.as_rpc())
        return Response(status=204)

    @route(
        "POST",
        "/api/v1/notifications/<string:notification_id>/read",
        "标为已读",
        TAG,
        auth=True,
        status=204,
        errors=(404,),
    )
    def read_notification(self, request, notification_id, principal):
        call(self.notifications.mark_read, principal.as_rpc(), notification_id)
        return Response(status=204)
