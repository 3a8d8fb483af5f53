"""Error mapping: every typed error crosses RPC as itself and becomes the contract's JSON."""

import json

import pytest
from nameko.exceptions import deserialize, serialize

import common.rpc  # noqa: F401  (registers the error types with Nameko)
from common import errors
from common.validation import flatten
from gateway.http import error_response

EXPECTED = {
    errors.InvalidInput: (400, "VALIDATION_ERROR"),
    errors.Unauthenticated: (401, "UNAUTHENTICATED"),
    errors.InvalidCredentials: (401, "INVALID_CREDENTIALS"),
    errors.Forbidden: (403, "FORBIDDEN"),
    errors.NotAnIntern: (403, "NOT_AN_INTERN"),
    errors.NotFound: (404, "NOT_FOUND"),
    errors.Conflict: (409, "CONFLICT"),
    errors.FileTooLarge: (413, "FILE_TOO_LARGE"),
    errors.UnsupportedFileType: (415, "UNSUPPORTED_FILE_TYPE"),
    errors.RateLimited: (429, "RATE_LIMITED"),
    errors.ServiceUnavailable: (503, "SERVICE_UNAVAILABLE"),
}


@pytest.mark.parametrize("cls", list(EXPECTED))
def test_each_error_maps_to_its_status_and_code(cls):
    resp = error_response(cls(details={"field": ["坏了"]}))
    status, code = EXPECTED[cls]
    assert resp.status_code == status
    body = json.loads(resp.get_data())
    assert body == {"error": {"code": code, "message": cls.default_message, "details": {"field": ["坏了"]}}}


@pytest.mark.parametrize("cls", list(EXPECTED))
def test_errors_survive_nameko_serialisation_typed(cls):
    original = cls("消息", {"a": ["b"]})
    restored = deserialize(json.loads(json.dumps(serialize(original))))
    assert type(restored) is cls
    assert (restored.message, restored.details, restored.code) == ("消息", {"a": ["b"]}, original.code)


def test_concurrency_conflicts_cross_rpc_as_409():
    from common.eventstore import ConcurrencyConflict

    restored = deserialize(serialize(ConcurrencyConflict(details={"stream_id": "x"})))
    assert type(restored) is ConcurrencyConflict and restored.status == 409 and restored.code == "CONCURRENT_UPDATE"


def test_named_conflicts_keep_their_code():
    restored = deserialize(serialize(errors.Conflict("已占用", code="USERNAME_TAKEN")))
    assert restored.code == "USERNAME_TAKEN" and restored.status == 409


def test_not_an_intern_has_the_exact_message():
    assert errors.NotAnIntern().message == "该人员不是就业见习人员"


def test_nested_field_errors_are_flattened():
    assert flatten({"jurisdiction": {"city_code": ["未知"]}, "x": ["y"]}) == {
        "jurisdiction.city_code": ["未知"],
        "x": ["y"],
    }
    assert flatten(["whole"]) == {"_schema": ["whole"]}
