"""`flask users set-email`: the address (and language) of a user's mails from the command line."""

import sqlalchemy as sa

from engine.db.extensions import db
from engine.identity.models import User


def _user(app, username):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        return user.email, user.language


def test_set_and_remove_an_address(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "set-email", "om", "officier@om.example", "--language", "en"])
    assert result.exit_code == 0, result.output
    assert "mails go to officier@om.example (en)" in result.output
    assert _user(app, "om") == ("officier@om.example", "en")
    assert "officier@om.example" in runner.invoke(args=["users", "list"]).output
    result = runner.invoke(args=["users", "set-email", "om"])
    assert result.exit_code == 0 and _user(app, "om") == (None, "en")


def test_a_wrong_address_is_refused(app):
    result = app.test_cli_runner().invoke(args=["users", "set-email", "om", "not an address"])
    assert result.exit_code == 1 and "name@example.org" in result.output
    assert _user(app, "om") == ("om@example.org", "nl")
    result = app.test_cli_runner().invoke(args=["users", "set-email", "nobody", "a@b.example"])
    assert result.exit_code == 1 and "No user 'nobody'" in result.output
