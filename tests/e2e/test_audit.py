"""The audit trail: every account change, staff read and decision, append-only, without ID numbers or phones."""

import psycopg
import pytest

from common import clock, db
from tests.e2e.conftest import assert_error, create_staff, register
from tests.e2e.test_applications import submit
from tests.polling import wait_for

AUDIT = "/api/v1/admin/audit"
FIELDS = {
    "at",
    "actor_id",
    "actor_username",
    "actor_roles",
    "action",
    "application_id",
    "case_number",
    "attachment_id",
    "target_user_id",
    "request_id",
}


def entries(admin, **query):
    resp = admin.get(AUDIT, params={"page_size": 100, **query})
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


def me(client):
    return client.get("/api/v1/me").json()


def test_account_changes_are_audited_with_actor_target_and_request_id(anon, admin):
    admin_me = me(admin)
    staff = create_staff(admin, anon, ["reviewer"])
    staff_id = me(staff)["user_id"]
    disabled = admin.post(f"/api/v1/admin/users/{staff_id}/disable")
    admin.post(f"/api/v1/admin/users/{staff_id}/enable")
    mine = entries(admin, actor=admin_me["user_id"])
    about_staff = [e for e in mine if e["target_user_id"] == staff_id]
    assert [e["action"] for e in about_staff] == ["user_enabled", "user_disabled", "user_created"]  # newest first
    for entry in about_staff:
        assert set(entry) == FIELDS
        assert entry["actor_username"] == admin_me["username"] and entry["actor_roles"] == ["admin"]
        assert entry["application_id"] is None and entry["case_number"] is None and entry["attachment_id"] is None
        assert entry["request_id"]
    assert about_staff[1]["request_id"] == disabled.headers["X-Request-Id"]


def test_the_first_admin_made_at_the_command_line_is_audited_without_an_actor(admin):
    admin_id = me(admin)["user_id"]
    created = [e for e in entries(admin, action="user_created") if e["target_user_id"] == admin_id]
    assert len(created) == 1 and created[0]["actor_id"] is None and created[0]["actor_username"] is None


def test_a_password_change_is_audited_as_the_person_themselves(anon, admin):
    person = register(anon)
    resp = person.post(
        "/api/v1/me/password", json={"current_password": person.person["password"], "new_password": "Newpass-2027"}
    )
    assert resp.status_code == 204
    changed = entries(admin, actor=person.user_id, action="password_changed")
    assert len(changed) == 1 and changed[0]["target_user_id"] == person.user_id
    assert changed[0]["actor_roles"] == ["applicant"]


def test_staff_reads_and_decisions_are_audited_and_carry_no_personal_numbers(anon, admin, reviewer):
    reviewer_me = me(reviewer)
    approved_person, rejected_person = register(anon), register(anon)
    approved = submit(approved_person)
    rejected = submit(rejected_person)

    assert reviewer.get(f"/api/v1/applications/{approved['application_id']}").status_code == 200
    # The owner reading their own case is no staff read.
    assert approved_person.get(f"/api/v1/applications/{approved['application_id']}").status_code == 200
    viewed = entries(admin, application_id=approved["application_id"], action="application_viewed")
    assert len(viewed) == 1  # recorded before the answer: no waiting
    assert viewed[0]["actor_id"] == reviewer_me["user_id"] and viewed[0]["case_number"] == approved["case_number"]

    assert (
        reviewer.post(
            f"/api/v1/review/applications/{approved['application_id']}/approve", json={"comment": "材料齐全"}
        ).status_code
        == 200
    )
    assert (
        reviewer.post(
            f"/api/v1/review/applications/{rejected['application_id']}/reject", json={"reason": "材料不全"}
        ).status_code
        == 200
    )

    def decided(application, action):
        found = [
            e
            for e in entries(admin, application_id=application["application_id"])
            if e["action"] == action and e["case_number"]
        ]
        return found

    approval = wait_for(lambda: decided(approved, "application_approved"))
    rejection = wait_for(lambda: decided(rejected, "application_rejected"))
    for entry, case in ((approval[0], approved), (rejection[0], rejected)):
        assert entry["actor_id"] == reviewer_me["user_id"] and entry["actor_username"] == reviewer_me["username"]
        assert entry["actor_roles"] == ["reviewer"] and entry["case_number"] == case["case_number"]
        assert entry["request_id"]

    text = admin.get(AUDIT, params={"page_size": 100}).text
    for person in (approved_person, rejected_person):
        assert person.person["id_number"] not in text and person.person["phone"] not in text
        assert "13912345678" not in text  # the phone on the application form


def test_filters_paging_and_order(admin):
    month = clock.today().strftime("%Y-%m")
    this_month = admin.get(AUDIT, params={"month": month, "page_size": 5}).json()
    assert this_month["total"] >= 1 and this_month["page_size"] == 5
    ats = [e["at"] for e in entries(admin)]
    assert ats == sorted(ats, reverse=True)
    assert admin.get(AUDIT, params={"month": "2001-01"}).json()["total"] == 0
    second = admin.get(AUDIT, params={"page": 2, "page_size": 1}).json()
    assert second["items"][0] == entries(admin)[1]


@pytest.mark.parametrize(
    "query,field",
    [
        ({"action": "application_deleted"}, "action"),
        ({"actor": "someone"}, "actor"),
        ({"application_id": "x"}, "application_id"),
        ({"month": "0000-01"}, "month"),
        ({"month": "2026-13"}, "month"),
        ({"month": "２０２６-01"}, "month"),
        ({"page_size": 101}, "page_size"),
    ],
)
def test_bad_filters_are_400(admin, query, field):
    assert_error(admin.get(AUDIT, params=query), 400, "VALIDATION_ERROR", field)


def test_only_admins_read_the_audit(anon, reviewer, applicant):
    assert_error(anon.get(AUDIT), 401, "UNAUTHENTICATED")
    assert_error(reviewer.get(AUDIT), 403, "FORBIDDEN")
    assert_error(applicant.get(AUDIT), 403, "FORBIDDEN")


def test_the_audit_table_refuses_updates_and_deletes(admin):
    with db.connect("identity") as conn:
        for statement in ("UPDATE audit SET action = 'user_enabled'", "DELETE FROM audit", "TRUNCATE audit"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
            conn.rollback()
        assert conn.execute("SELECT count(*) AS n FROM audit").fetchone()["n"] > 0


def test_record_audit_refuses_actions_that_are_not_reads(admin):
    """Decisions and account changes are audited where they happen; no caller can forge them."""
    from nameko.standalone.rpc import ClusterRpcProxy

    import common.rpc  # noqa: F401  (registers the contract's errors, so they arrive typed)
    from common import config, errors

    actor = {"user_id": me(admin)["user_id"], "username": "x", "roles": ["admin"]}
    with ClusterRpcProxy({"AMQP_URI": config.amqp_uri()}) as rpc:
        with pytest.raises(errors.InvalidInput):
            rpc.identity.record_audit({"action": "application_approved", "actor": actor})
        with pytest.raises(errors.InvalidInput):
            rpc.identity.record_audit({"action": "application_viewed"})
