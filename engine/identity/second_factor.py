"""A second factor for local accounts: a TOTP authenticator app (RFC 6238, pyotp) and ten one-time recovery
codes.

- Enrolment: a fresh secret is sealed under the instance's remnants key (engine/crypto) and shown once as a
  QR code and as text; the first right code confirms it and returns the recovery codes (shown once, stored
  as SHA-256 digests).
- Sign-in: after the password, a code of the app (one code opens one sign-in: its time step is remembered)
  or an unused recovery code. A wrong code counts as a failed sign-in in the throttle (`throttle.py`).
- `VB_TOTP_REQUIRED_ROLES` makes it mandatory for roles: a user of such a role without a second factor can
  do nothing but enrol (API 403 `totp_enrolment_required`, the web app sends them to the enrolment page).
  Unset, it is the roles that read sensitive fields outside the demo, and no role in the demo (VB_DEMO).
- OpenID Connect sign-ins rely on the identity provider's own second factor and are not asked.
"""

from __future__ import annotations

import hashlib
import secrets

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app

from ..crypto.service import open_remnant, seal_remnant
from ..core.errors import ApiError, Conflict, Unprocessable
from ..db.extensions import db
from ..core.timeutil import utcnow
from .models import RecoveryCode, TotpFactor, User
from .roles import ROLES, SENSITIVE_READERS

ISSUER = "Veilig Bestuur"
RECOVERY_CODES = 10
# Codes one step (30 s) before or after the current one are accepted: a phone's clock drifts a little.
_DRIFT_STEPS = 1


class TotpRequired(ApiError):
    status = 401
    code = "totp_required"


class TotpInvalid(ApiError):
    status = 401
    code = "totp_invalid"


class TotpEnrolmentRequired(ApiError):
    status = 403
    code = "totp_enrolment_required"


def required_roles() -> frozenset:
    """The roles for which a second factor is mandatory (`VB_TOTP_REQUIRED_ROLES`)."""
    setting = current_app.config.get("VB_TOTP_REQUIRED_ROLES")
    if setting is None:
        return frozenset() if current_app.config["VB_DEMO"] else SENSITIVE_READERS
    names = {name.strip().lower() for name in setting.split(",") if name.strip()}
    unknown = names - set(ROLES)
    if unknown:
        raise RuntimeError(f"VB_TOTP_REQUIRED_ROLES names unknown roles: {', '.join(sorted(unknown))}.")
    return frozenset(names)


def _factor(user: User) -> TotpFactor | None:
    return db.session.get(TotpFactor, user.id)


def is_enabled(user: User) -> bool:
    factor = _factor(user)
    return factor is not None and factor.enabled_at is not None


def must_enrol(user: User) -> bool:
    """A user of a mandatory role without a confirmed second factor."""
    return bool(set(user.roles or ()) & required_roles()) and not is_enabled(user)


def _context(user: User) -> str:
    # binds the sealed secret to its account: copied into another user's row it does not open
    return f"totp_factor.secret:{user.id}"


def _secret(user: User, factor: TotpFactor) -> str:
    return open_remnant(factor.secret, _context(user)).decode()


def begin_enrolment(user: User) -> dict:
    """A new secret for `user` (replacing an unconfirmed one): its text, otpauth URI and QR code (SVG)."""
    factor = _factor(user)
    if factor is not None and factor.enabled_at is not None:
        raise Conflict("A second factor is already set up for this account; disable it first to set up another.")
    secret = pyotp.random_base32()
    sealed = seal_remnant(secret.encode(), _context(user))
    if factor is None:
        db.session.add(TotpFactor(user_id=user.id, secret=sealed, created_at=utcnow()))
    else:
        factor.secret, factor.created_at, factor.last_step = sealed, utcnow(), None
    db.session.commit()
    return enrolment_view(user, secret)


def pending_secret(user: User) -> str | None:
    """The secret of an enrolment that waits for its first code (shown again when the page reloads)."""
    factor = _factor(user)
    if factor is None or factor.enabled_at is not None:
        return None
    return _secret(user, factor)


def enrolment_view(user: User, secret: str) -> dict:
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)
    svg = segno.make(uri, error="m").svg_inline(scale=4, border=2, title=f"{ISSUER}: {user.username}")
    return {"secret": secret, "otpauth_uri": uri, "qr_svg": svg}


def _accept_totp(user: User, factor: TotpFactor, code: str) -> bool:
    totp = pyotp.TOTP(_secret(user, factor))
    now = utcnow()
    current = totp.timecode(now)
    for step in range(current - _DRIFT_STEPS, current + _DRIFT_STEPS + 1):
        if factor.last_step is not None and step <= factor.last_step:
            continue  # a code already used (or older than one used) opens nothing
        # as bytes: compare_digest refuses str with non-ASCII characters, and a typed code may hold any
        if secrets.compare_digest(totp.generate_otp(step).encode(), code.encode()):
            factor.last_step = step
            return True
    return False


def _normalise(code: str | None) -> str:
    return "".join((code or "").split()).replace("-", "").upper()


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Confirm an enrolment with the first code of the app; returns the recovery codes (shown only now)."""
    factor = _factor(user)
    if factor is None or factor.enabled_at is not None:
        raise Conflict("There is no enrolment waiting for its first code; start one first.")
    if not _accept_totp(user, factor, _normalise(code)):
        db.session.rollback()
        raise Unprocessable(
            "The code is not correct. Type the six digits the app shows now.", errors={"code": ["Not correct."]}
        )
    factor.enabled_at = utcnow()
    codes = _new_recovery_codes(user)
    db.session.commit()
    return codes


def _digest(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(10)  # 80 bits
        codes.append("-".join(raw[i : i + 5] for i in range(0, 20, 5)))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_digest(raw)))
    return codes


def remaining_recovery_codes(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def verify(user: User, code: str | None) -> bool:
    """Whether `code` is a current code of the user's app or one of their unused recovery codes (which is
    then used up). The caller commits."""
    factor = _factor(user)
    code = _normalise(code)
    if factor is None or factor.enabled_at is None or not code:
        return False
    if code.isdigit() and len(code) == 6:
        return _accept_totp(user, factor, code)
    row = db.session.scalar(
        sa.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _digest(code), RecoveryCode.used_at.is_(None)
        )
    )
    if row is None:
        return False
    row.used_at = utcnow()
    return True


def remove(user: User) -> bool:
    """Forget the second factor and its recovery codes (the user's own disable, or an administrator's
    reset). Returns whether there was one."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    removed = db.session.execute(sa.delete(TotpFactor).where(TotpFactor.user_id == user.id)).rowcount > 0
    db.session.commit()
    return removed
