from datetime import UTC, datetime, timedelta

from common import errors
from services.identity import domain

T0 = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


def test_hash_and_verify():
    hashed = domain.hash_password("Passw0rd!")
    assert hashed.startswith("$argon2")
    assert domain.password_matches(hashed, "Passw0rd!")
    assert not domain.password_matches(hashed, "passw0rd!")
    assert not domain.password_matches(None, "Passw0rd!")  # unknown user: still costs a verify
    assert not domain.password_matches("garbage", "x")


def fail(times, start=T0, step=timedelta(seconds=10), record=None):
    for i in range(times):
        record = domain.after_failure(record, start + i * step)
    return record


def test_fifth_failure_within_window_locks_for_fifteen_minutes():
    record = fail(4)
    assert record.locked_until is None and domain.locked_for(record, T0 + timedelta(minutes=1)) == 0
    record = fail(1, start=T0 + timedelta(minutes=1), record=record)
    assert record.locked_until == T0 + timedelta(minutes=16)
    assert domain.locked_for(record, T0 + timedelta(minutes=1)) == 900
    assert domain.locked_for(record, T0 + timedelta(minutes=16)) == 0


def test_failures_spread_beyond_the_window_do_not_lock():
    record = fail(5, step=timedelta(minutes=4))  # 5th failure 16 minutes after the 1st
    assert record.locked_until is None
    assert record.failures == 1  # the 5th fell outside the first one's window and started a new one


def test_after_lock_expires_counting_starts_again():
    record = fail(5)
    later = record.locked_until + timedelta(seconds=1)
    record = domain.after_failure(record, later)
    assert record.failures == 1 and record.locked_until is None


def test_rate_limited_carries_retry_after():
    err = domain.rate_limited(899)
    assert isinstance(err, errors.RateLimited) and err.details == {"retry_after": 899}
    assert "15分钟" in err.message


def test_me_masks_and_public_user_hides_personal_numbers():
    row = {"user_id": "u1", "username": "li_lei", "real_name": "李雷", "id_number": "140105200105171234",
           "phone": "13812345678", "roles": ["applicant"], "jurisdiction_city": None, "jurisdiction_county": None}
    me = domain.me(row)
    assert me["id_number_masked"] == "140105********1234" and me["phone_masked"] == "138****5678"
    public = domain.public_user(row)
    assert "id_number" not in str(public) and "13812345678" not in str(public)
