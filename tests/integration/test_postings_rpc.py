"""The postings service's RPC methods on real RabbitMQ and PostgreSQL, as the gateway
and the favorites service call them; errors arrive typed."""

import uuid

import pytest
from nameko.runners import ServiceRunner
from nameko.standalone.rpc import ClusterRpcProxy

from common import config, errors
from services.postings.service import PostingsService
from tests import factories

REVIEWER = {"user_id": str(uuid.uuid4()), "username": "r", "roles": ["reviewer"], "jurisdiction": None}
APPLICANT = {"user_id": str(uuid.uuid4()), "username": "a", "roles": ["applicant"], "jurisdiction": None}


@pytest.fixture(scope="module")
def postings(amqp_uri, databases):
    databases("postings")
    nameko_config = config.nameko_config()
    runner = ServiceRunner(nameko_config)
    runner.add_service(PostingsService)
    runner.start()
    try:
        # The gateway always sends a request id; so does this caller.
        with ClusterRpcProxy(nameko_config, context_data={"request_id": str(uuid.uuid4())}) as cluster:
            yield cluster.postings
    finally:
        runner.stop()


def body(**overrides):
    """A valid post in 长治市潞州区."""
    return factories.posting(**{"title": "护士见习岗", "city_code": "140400", "county_code": "140403", **overrides})


def test_create_get_update_close(postings):
    created = postings.create(REVIEWER, body())
    assert created["status"] == "open" and created["county_name"] == "潞州区"
    assert postings.get(created["posting_id"]) == created
    updated = postings.update(REVIEWER, created["posting_id"], {"headcount": 6})
    assert updated["headcount"] == 6 and updated["title"] == "护士见习岗"
    closed = postings.close(REVIEWER, created["posting_id"])
    assert closed["status"] == "closed" and closed["closed_at"]


def test_errors_cross_rpc_typed(postings):
    with pytest.raises(errors.NotFound):
        postings.get(str(uuid.uuid4()))
    with pytest.raises(errors.NotFound):
        postings.get("nonsense")
    with pytest.raises(errors.Forbidden):
        postings.create(APPLICANT, body())
    with pytest.raises(errors.InvalidInput) as exc:
        postings.create(REVIEWER, body(headcount=0, county_code="140105"))
    assert set(exc.value.details) == {"headcount", "county_code"}
    with pytest.raises(errors.NotFound):
        postings.update(REVIEWER, str(uuid.uuid4()), {"headcount": 2})


def test_a_failed_edit_changes_nothing(postings):
    created = postings.create(REVIEWER, body())
    with pytest.raises(errors.InvalidInput):
        postings.update(REVIEWER, created["posting_id"], {"title": "新标题", "city_code": "140100"})
    assert postings.get(created["posting_id"]) == created


def test_summaries_of_a_set_of_ids_in_one_call(postings):
    a = postings.create(REVIEWER, body())
    b = postings.create(REVIEWER, body(city_code="140100", county_code="140105"))
    postings.close(REVIEWER, b["posting_id"])
    answer = postings.summaries([b["posting_id"], str(uuid.uuid4()), a["posting_id"], "junk", a["posting_id"]])
    assert [(s["posting_id"], s["status"], s["city_code"], s["county_code"]) for s in answer["items"]] == [
        (b["posting_id"], "closed", "140100", "140105"),
        (a["posting_id"], "open", "140400", "140403"),
    ]
    assert postings.summaries([])["items"] == []


def test_open_postings_inside_a_jurisdiction(postings):
    tag = "jur" + uuid.uuid4().hex[:8]
    inside = postings.create(REVIEWER, body(title=f"护士{tag}", county_code="140403"))
    sibling = postings.create(REVIEWER, body(title=f"护士{tag}", county_code="140404"))
    postings.create(REVIEWER, body(title=f"护士{tag}", city_code="140100", county_code="140105"))
    closed = postings.create(REVIEWER, body(title=f"护士{tag}", county_code="140403"))
    postings.close(REVIEWER, closed["posting_id"])

    def ids(jurisdiction, **query):
        page = postings.open_in_jurisdiction(jurisdiction, {"q": tag, **query})
        return {item["posting_id"] for item in page["items"]}

    city_level = {"city_code": "140400", "county_code": None}
    assert ids(city_level) == {inside["posting_id"], sibling["posting_id"]}
    assert ids(city_level, county="140404") == {sibling["posting_id"]}
    assert ids({"city_code": "140400", "county_code": "140403"}) == {inside["posting_id"]}
    with pytest.raises(errors.InvalidInput) as exc:
        ids({"city_code": "140400", "county_code": "140403"}, county="140404")
    assert "county" in exc.value.details
    with pytest.raises(errors.InvalidInput) as exc:
        postings.open_in_jurisdiction(city_level, {"page_size": 0})
    assert "page_size" in exc.value.details
