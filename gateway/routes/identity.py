"""Identity endpoints: register, login, logout, my details and password, staff accounts, the audit trail."""

import eventlet
from werkzeug.wrappers import Response

from common.rpc import call
from common.transport import rpc_proxy
from contracts import identity as schemas
from gateway import inputs
from gateway.clients import client_address
from gateway.details import MeCache
from gateway.http import json_response, route
from gateway.revocations import TABLE

TAG = "身份"


class IdentityRoutes:
    identity = rpc_proxy("identity")
    favorites = rpc_proxy("favorites")
    me_cache = MeCache()

    @route(
        "POST",
        "/api/v1/auth/register",
        "注册",
        TAG,
        body=schemas.RegisterSchema,
        response=schemas.UserSchema,
        status=201,
        errors=(400, 409),
    )
    def register(self, request):
        body = inputs.json_body(request, schemas.RegisterSchema())
        return json_response(call(self.identity.register, body), 201)

    @route(
        "POST",
        "/api/v1/auth/login",
        "登录",
        TAG,
        body=schemas.LoginSchema,
        response=schemas.LoginResponseSchema,
        errors=(400, 401, 429),
    )
    def login(self, request):
        body = inputs.json_body(request, schemas.LoginSchema())
        return json_response(call(self.identity.login, body, client_address(request)))

    @route("POST", "/api/v1/auth/logout", "退出登录（本凭证失效）", TAG, auth=True, status=204)
    def logout(self, request, principal):
        # Applied here at once as well, so this replica refuses the token even before the broadcast.
        TABLE.apply(call(self.identity.logout, principal.as_rpc(), principal.token_id, principal.expires_at))
        return Response(status=204)

    @route("GET", "/api/v1/me", "我的信息", TAG, auth=True, response=schemas.MeSchema)
    def me(self, request, principal):
        # Identity's part never changes (gateway/details.py), so after the first call it comes from
        # this process's cache; the intern part changes with approvals and is always asked. Staff
        # accounts are never interns (only applicants are), which the token's roles already say.
        me = self.me_cache.get(principal.installation, principal.user_id)
        if me is None:
            generation = self.me_cache.generation
            pile = eventlet.GreenPile(2)  # both calls at once
            pile.spawn(call, self.identity.me, principal.user_id)
            if principal.has("applicant"):
                pile.spawn(call, self.favorites.intern_status, principal.user_id)
            me, *intern = pile
            self.me_cache.put(principal.installation, principal.user_id, me, generation)
        elif principal.has("applicant"):
            intern = [call(self.favorites.intern_status, principal.user_id)]
        else:
            intern = []
        return json_response({**me, "intern": intern[0] if intern else {"eligible": False, "jurisdiction": None}})

    @route(
        "POST",
        "/api/v1/me/password",
        "修改密码（此前签发的凭证全部失效）",
        TAG,
        auth=True,
        body=schemas.ChangePasswordSchema,
        status=204,
        errors=(400,),
    )
    def change_password(self, request, principal):
        body = inputs.json_body(request, schemas.ChangePasswordSchema())
        TABLE.apply(call(self.identity.change_password, principal.as_rpc(), body))
        return Response(status=204)

    @route(
        "POST",
        "/api/v1/admin/users",
        "创建工作人员账号",
        TAG,
        roles=("admin",),
        body=schemas.StaffUserSchema,
        response=schemas.UserSchema,
        status=201,
        errors=(400, 409),
    )
    def create_staff(self, request, principal):
        body = inputs.json_body(request, schemas.StaffUserSchema())
        return json_response(call(self.identity.create_staff, principal.as_rpc(), body), 201)

    # Before the list: its page schema then refers to this one instead of registering it twice.
    @route(
        "POST",
        "/api/v1/admin/users/<user_id>/disable",
        "停用工作人员账号",
        TAG,
        roles=("admin",),
        response=schemas.StaffAccountSchema,
        errors=(404, 409),
    )
    def disable_staff(self, request, principal, user_id):
        return json_response(call(self.identity.disable_staff, principal.as_rpc(), user_id))

    @route(
        "POST",
        "/api/v1/admin/users/<user_id>/enable",
        "启用工作人员账号",
        TAG,
        roles=("admin",),
        response=schemas.StaffAccountSchema,
        errors=(404,),
    )
    def enable_staff(self, request, principal, user_id):
        return json_response(call(self.identity.enable_staff, principal.as_rpc(), user_id))

    @route(
        "GET",
        "/api/v1/admin/users",
        "工作人员账号列表",
        TAG,
        roles=("admin",),
        query=schemas.StaffQuery,
        response=schemas.StaffPageSchema,
        errors=(400,),
    )
    def staff(self, request, principal):
        return json_response(call(self.identity.staff, principal.as_rpc(), inputs.query(request, schemas.StaffQuery())))

    @route(
        "GET",
        "/api/v1/admin/audit",
        "审计日志",
        TAG,
        roles=("admin",),
        query=schemas.AuditQuery,
        response=schemas.AuditPageSchema,
        errors=(400,),
    )
    def audit(self, request, principal):
        return json_response(call(self.identity.audit, principal.as_rpc(), inputs.query(request, schemas.AuditQuery())))
