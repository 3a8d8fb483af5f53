"""Identity endpoints: register, login, my details, staff accounts."""
import eventlet

from common.rpc import call
from common.transport import rpc_proxy
from contracts import identity as schemas
from gateway import inputs
from gateway.http import json_response, route

TAG = "身份"


class IdentityRoutes:
    identity = rpc_proxy("identity")
    favorites = rpc_proxy("favorites")

    @route("POST", "/api/v1/auth/register", "注册", TAG, body=schemas.RegisterSchema,
           response=schemas.UserSchema, status=201, errors=(400, 409))
    def register(self, request):
        body = inputs.json_body(request, schemas.RegisterSchema())
        return json_response(call(self.identity.register, body), 201)

    @route("POST", "/api/v1/auth/login", "登录", TAG, body=schemas.LoginSchema,
           response=schemas.LoginResponseSchema, errors=(400, 401, 429))
    def login(self, request):
        body = inputs.json_body(request, schemas.LoginSchema())
        return json_response(call(self.identity.login, body))

    @route("GET", "/api/v1/me", "我的信息", TAG, auth=True, response=schemas.MeSchema)
    def me(self, request, principal):
        # Both calls at once; staff accounts are never interns (only applicants are), which the
        # token's roles already say, so they cost one call.
        pile = eventlet.GreenPile(2)
        pile.spawn(call, self.identity.me, principal.user_id)
        if principal.has("applicant"):
            pile.spawn(call, self.favorites.intern_status, principal.user_id)
        me, *intern = pile
        me["intern"] = intern[0] if intern else {"eligible": False, "jurisdiction": None}
        return json_response(me)

    @route("POST", "/api/v1/admin/users", "创建工作人员账号", TAG, roles=("admin",),
           body=schemas.StaffUserSchema, response=schemas.UserSchema, status=201, errors=(400, 409))
    def create_staff(self, request, principal):
        body = inputs.json_body(request, schemas.StaffUserSchema())
        return json_response(call(self.identity.create_staff, principal.as_rpc(), body), 201)
