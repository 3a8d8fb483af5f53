"""Typed errors that map one-to-one onto the contract's error codes.

Pure Python: domain modules raise these; `common.rpc` registers them with
Nameko so they cross RPC as the same types, and the gateway maps them to HTTP.
"""

from typing import Any, Self


class ServiceError(Exception):
    status = 500
    code = "INTERNAL_ERROR"
    default_message = "服务内部错误"

    def __init__(
        self, message: str | None = None, details: dict[str, Any] | None = None, code: str | None = None
    ) -> None:
        message = message or self.default_message
        details = details or {}
        code = code or self.code
        super().__init__(message, details, code)
        self.message = message
        self.details = details
        self.code = code

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def to_body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class InvalidInput(ServiceError):
    status = 400
    code = "VALIDATION_ERROR"
    default_message = "请求参数有误"

    @classmethod
    def field(cls, name: str, message: str) -> Self:
        return cls(details={name: [message]})


class Unauthenticated(ServiceError):
    status = 401
    code = "UNAUTHENTICATED"
    default_message = "请先登录"


class InvalidCredentials(ServiceError):
    status = 401
    code = "INVALID_CREDENTIALS"
    default_message = "用户名或密码错误"


class Forbidden(ServiceError):
    status = 403
    code = "FORBIDDEN"
    default_message = "无权执行此操作"


class NotAnIntern(ServiceError):
    status = 403
    code = "NOT_AN_INTERN"
    default_message = "该人员不是就业见习人员"


class NotFound(ServiceError):
    status = 404
    code = "NOT_FOUND"
    default_message = "资源不存在"


class Conflict(ServiceError):
    """409; the code names the conflict (USERNAME_TAKEN, NOT_PENDING, ...)."""

    status = 409
    code = "CONFLICT"
    default_message = "操作与当前状态冲突"


class FileTooLarge(ServiceError):
    status = 413
    code = "FILE_TOO_LARGE"
    default_message = "文件超过 10 MiB"


class UnsupportedFileType(ServiceError):
    status = 415
    code = "UNSUPPORTED_FILE_TYPE"
    default_message = "仅支持 PDF、JPEG、PNG 文件"


class RateLimited(ServiceError):
    status = 429
    code = "RATE_LIMITED"
    default_message = "尝试次数过多，请稍后再试"


class ServiceUnavailable(ServiceError):
    status = 503
    code = "SERVICE_UNAVAILABLE"
    default_message = "服务暂时不可用，请稍后再试"


ALL = [
    ServiceError,
    InvalidInput,
    Unauthenticated,
    InvalidCredentials,
    Forbidden,
    NotAnIntern,
    NotFound,
    Conflict,
    FileTooLarge,
    UnsupportedFileType,
    RateLimited,
    ServiceUnavailable,
]
