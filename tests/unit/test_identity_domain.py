from datetime import UTC, datetime, timedelta

import argon2

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


def test_new_hashes_use_the_owasp_argon2id_parameters():
    parameters = argon2.extract_parameters(domain.hash_password("Passw0rd!"))
    assert parameters.type is argon2.Type.ID
    assert (parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (19456, 2, 1)
    assert not domain.needs_rehash(domain.hash_password("Passw0rd!"))


def test_hashes_made_with_the_old_defaults_need_rehash():
    old_defaults = argon2.PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)
    old_hash = old_defaults.hash("Passw0rd!")
    assert domain.password_matches(old_hash, "Passw0rd!")  # still verifies until the next login
    assert domain.needs_rehash(old_hash)


NO_FAILURES = domain.Guard()


def fail(times, start=T0, step=timedelta(seconds=10), guard=NO_FAILURES):
    for i in range(times):
        guard = domain.after_failure(guard, start + i * step)
    return guard


def load(guard=NO_FAILURES, here=0, username_failures=0, everywhere=0, username_locked_until=None):
    return domain.LoginLoad(guard, here, username_failures, everywhere, username_locked_until)


def test_fifth_failure_from_one_address_within_window_locks_it_for_fifteen_minutes():
    guard = fail(4)
    assert guard.locked_until is None and domain.refusal(load(guard), T0 + timedelta(minutes=1)) == 0
    guard = fail(1, start=T0 + timedelta(minutes=1), guard=guard)
    assert guard.locked_until == T0 + timedelta(minutes=16)
    assert domain.refusal(load(guard), T0 + timedelta(minutes=1)) == 900
    assert domain.refusal(load(guard), T0 + timedelta(minutes=16)) == 0


def test_failures_spread_beyond_the_window_do_not_lock():
    guard = fail(5, step=timedelta(minutes=4))  # 5th failure 16 minutes after the 1st
    assert guard.locked_until is None
    assert guard.failures == 1  # the 5th fell outside the first one's window and started a new one


def test_after_lock_expires_counting_starts_again():
    guard = fail(5)
    later = guard.locked_until + timedelta(seconds=1)
    guard = domain.after_failure(guard, later)
    assert guard.failures == 1 and guard.locked_until is None


def test_checks_in_flight_hold_slots_so_at_most_five_run_per_address():
    assert domain.refusal(load(here=4), T0) == 0
    assert domain.refusal(load(here=5), T0) == 900
    assert domain.refusal(load(fail(3), here=2), T0 + timedelta(minutes=1)) == 900
    assert domain.refusal(load(fail(3), here=1), T0 + timedelta(minutes=1)) == 0


def test_fifty_failures_from_all_addresses_lock_the_username_for_everyone():
    assert domain.refusal(load(username_failures=49), T0) == 0
    assert domain.refusal(load(username_failures=49, everywhere=1), T0) == 900
    assert domain.username_locked_until(49, T0) is None
    until = domain.username_locked_until(50, T0)
    assert until == T0 + timedelta(minutes=15)
    assert domain.refusal(load(username_locked_until=until), T0 + timedelta(minutes=5)) == 600
    assert domain.refusal(load(username_locked_until=until), until) == 0


def test_rate_limited_carries_retry_after():
    err = domain.rate_limited(899)
    assert isinstance(err, errors.RateLimited) and err.details == {"retry_after": 899}
    assert "15分钟" in err.message


def test_me_masks_and_public_user_hides_personal_numbers():
    row = {
        "user_id": "u1",
        "username": "li_lei",
        "real_name": "李雷",
        "id_number": "140105200105171234",
        "phone": "13812345678",
        "roles": ["applicant"],
        "jurisdiction_city": None,
        "jurisdiction_county": None,
    }
    me = domain.me(row)
    assert me["id_number_masked"] == "140105********1234" and me["phone_masked"] == "138****5678"
    public = domain.public_user(row)
    assert "id_number" not in str(public) and "13812345678" not in str(public)
