"""Database errors quote the row they refused (DETAIL, CONTEXT): neither the logs nor the
RPC answer that crosses RabbitMQ may carry that text (issue 9, item 7)."""

import io
import json
import logging

import psycopg
import pytest
from nameko.runners import ServiceRunner
from nameko.standalone.rpc import ClusterRpcProxy

from common import errors, logs
from common.rpc import rpc

PERSONAL = "140105200405178814"


def unique_violation(url):
    """A real UniqueViolation whose message quotes PERSONAL."""
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TEMP TABLE people (id_number text CONSTRAINT people_id_number_key UNIQUE)")
        conn.execute("INSERT INTO people VALUES (%s)", (PERSONAL,))
        with pytest.raises(psycopg.errors.UniqueViolation) as caught:
            conn.execute("INSERT INTO people VALUES (%s)", (PERSONAL,))
    assert PERSONAL in str(caught.value)  # the attack's premise: the message quotes the row
    return caught.value


def formatted(emit):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter("test"))
    logger = logging.getLogger("privacy-probe")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        emit(logger)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_database_error_is_logged_as_sqlstate_and_constraint(databases):
    exc = unique_violation(databases("identity"))

    def emit(logger):
        try:
            raise exc
        except psycopg.Error as raised:
            logger.exception("error handling worker %s: %s", "<worker>", raised)
            logs.log(logger, logging.ERROR, "failed", error=raised)

    text = formatted(emit)
    assert PERSONAL not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines[0]["error_code"] == "23505" and lines[0]["constraint_name"] == "people_id_number_key"
    assert lines[0]["message"] == "error handling worker <worker>: <psycopg.errors.UniqueViolation>"
    assert "test_log_privacy.py" in lines[0]["exc"]
    assert lines[1]["error"]["error_code"] == "23505"


class Failing:
    name = "privacy_failing"

    @rpc
    def fail(self, url):
        raise unique_violation(url)


def test_an_unexpected_error_crosses_rpc_without_its_text(amqp_uri, databases):
    url = databases("identity")
    runner = ServiceRunner({"AMQP_URI": amqp_uri})
    runner.add_service(Failing)
    runner.start()
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}) as cluster, pytest.raises(errors.ServiceError) as caught:
            cluster.privacy_failing.fail(url)
    finally:
        runner.stop()
    assert type(caught.value) is errors.ServiceError and caught.value.code == "INTERNAL_ERROR"
    assert PERSONAL not in repr(caught.value.args)
