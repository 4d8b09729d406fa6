"""The token cache (identity/token_cache.py): no identity queries on a repeated call, a revocation in this
process at once, a revocation by another process (a write the cache does not see) within the bound."""

import time

import sqlalchemy as sa

from engine.db.extensions import db
from engine.identity.models import ApiToken, User
from engine.identity.service import deactivate_user, get_user


def _identity_queries(app, call) -> int:
    seen = []

    def count(conn, cursor, statement, *args):
        if "api_token" in statement or "app_user" in statement or "totp_factor" in statement:
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        call()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_a_repeated_call_reads_no_identity_rows(app, api):
    user = api.login("politie")
    assert user.get("/api/v1/tasks").status_code == 200
    with app.app_context():
        assert _identity_queries(app, lambda: user.get("/api/v1/tasks")) == 0


def test_deactivating_in_this_process_refuses_the_next_call(app, api):
    user = api.login("gemeente.westbetuwe")
    assert user.get("/api/v1/tasks").status_code == 200
    with app.app_context():
        deactivate_user(get_user("gemeente.westbetuwe"))
    assert user.get("/api/v1/tasks").status_code == 401


def test_a_revocation_by_another_process_takes_effect_within_the_bound(app, api):
    app.config["VB_TOKEN_CACHE_SECONDS"] = 0.5
    user = api.login("politie")
    assert user.get("/api/v1/tasks").status_code == 200
    with app.app_context():  # as another process would: straight to the table, unseen by this one's session
        with db.engine.begin() as connection:
            connection.execute(sa.update(ApiToken).values(revoked_at=sa.func.current_timestamp()))
    assert user.get("/api/v1/tasks").status_code == 200  # still within the bound
    time.sleep(0.6)
    assert user.get("/api/v1/tasks").status_code == 401


def test_without_the_cache_a_revocation_by_another_process_counts_at_once(app, api):
    app.config["VB_TOKEN_CACHE_SECONDS"] = 0
    user = api.login("politie")
    assert user.get("/api/v1/tasks").status_code == 200
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(sa.update(User).where(User.username == "politie").values(is_active=False))
    assert user.get("/api/v1/tasks").status_code == 401
