"""The Flask extensions, created once and bound to an app in `create_app`."""

from datetime import timezone

import sqlalchemy as sa
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase
from werkzeug.routing import IntegerConverter

from ..core.apidoc import Api

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
api = Api()


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite returns naive values otherwise)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


# The id columns are INTEGER: 32 bits in PostgreSQL (SQLite's hold 64).
MAX_ROW_ID = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """`<row_id:name>`: a row id in a URL, 1 to 2^31-1; a larger number matches no route (404) instead of
    overflowing the database's integer."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=MAX_ROW_ID)


def register_converters(app) -> None:
    """After `api.init_app`, before any blueprint is registered (their rules use the converters)."""
    app.url_map.converters["row_id"] = RowIdConverter
    api.register_converter(
        RowIdConverter, lambda converter: {"type": "integer", "format": "int32", "minimum": 1, "maximum": MAX_ROW_ID}
    )
