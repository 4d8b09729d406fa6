"""Liveness and readiness: `GET /healthz` answers 200 when the database answers."""

import sqlalchemy as sa
from flask import Blueprint, jsonify

from ..db.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception as err:  # report, do not crash: this is what load balancers poll
        db.session.rollback()
        return jsonify({"status": "unavailable", "database": type(err).__name__}), 503
    return jsonify({"status": "ok"})
