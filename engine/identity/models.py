from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db.extensions import UTCDateTime, db
from ..core.timeutil import utcnow


class User(db.Model):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(120), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    roles: Mapped[list] = mapped_column(sa.JSON, default=list)
    municipality_code: Mapped[str | None] = mapped_column(sa.String(6), index=True)
    # A police user's unit: a regional unit sees only its municipalities' cases (identity/police_units.py)
    police_unit: Mapped[str | None] = mapped_column(sa.String(40))
    # Where notifications go (engine/notifications), and the language of the mails: nl or en
    email: Mapped[str | None] = mapped_column(sa.String(254))
    language: Mapped[str] = mapped_column(sa.String(2), default="nl", server_default="nl")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    def has_role(self, *roles: str) -> bool:
        return any(role in (self.roles or []) for role in roles)

    def __repr__(self) -> str:
        return f"<User {self.username} {self.roles} {self.municipality_code}>"


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored, so a database leak reveals no usable token."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")


class WebSession(db.Model):
    """A signed-in browser. The cookie carries a random token; only its SHA-256 is stored. A session ends
    for good when its user signs out, changes or gets a new password, or is deactivated, and by itself after
    `VB_SESSION_IDLE_MINUTES` without a request or `VB_SESSION_MAX_HOURS` after sign-in."""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    via: Mapped[str] = mapped_column(sa.String(20), default="password")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginFailure(db.Model):
    """One failed sign-in (API token or web form), counted per account and per client address for the
    throttle (`identity/throttle.py`). Rows older than the window are deleted as new ones come in."""

    __tablename__ = "login_failure"
    __table_args__ = (
        sa.Index("ix_login_failure_username_at", "username", "at"),
        sa.Index("ix_login_failure_client_at", "client", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(120))
    client: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TotpFactor(db.Model):
    """A local account's second factor (RFC 6238 TOTP). The secret is sealed under the instance's remnants
    key (never stored in plaintext); until `enabled_at` is set it is an enrolment waiting for its first code.
    `last_step` is the time step of the last accepted code, so one code opens one sign-in only."""

    __tablename__ = "totp_factor"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_step: Mapped[int | None] = mapped_column(sa.BigInteger)


class RecoveryCode(db.Model):
    """A one-time recovery code of a second factor; only its SHA-256 is stored (the codes carry 80 random
    bits, so a plain digest cannot be reversed by guessing)."""

    __tablename__ = "totp_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
