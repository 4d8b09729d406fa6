"""The migrations build the schema the models describe: a table, column or index added to one and not the
other is found here, on SQLite and PostgreSQL, before a deployment meets it."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from engine.db.extensions import db

# Kept out of the models on purpose: the text index of the case search (migration 0022,
# engine/instances/text_index.py: SQLite's FTS5 table and its shadow tables, PostgreSQL's trigram indexes on
# expressions) and the migrations' own version table.
NOT_MODELLED = ("case_search_text", "case_search_row", "alembic_version")
NOT_MODELLED_INDEXES = ("ix_process_instance_business_key_trgm", "ix_process_instance_title_trgm")


def _differences(app) -> list:
    with app.app_context(), db.engine.connect() as connection:
        found = compare_metadata(MigrationContext.configure(connection), db.metadata)
    flat = []
    for item in found:
        flat.extend(item if isinstance(item, list) else [item])
    return flat


def _table_of(difference) -> str:
    if difference[0] in ("add_table", "remove_table"):
        return difference[1].name
    if difference[0] in ("add_index", "remove_index"):
        return difference[1].table.name
    return difference[2]


def test_the_migrated_schema_has_the_models_tables_and_indexes(app):
    differences = [
        d
        for d in _differences(app)
        # column types: on SQLite the sealed columns keep their declared JSON/TEXT type and hold the bytes as
        # given (migration 0008 converted them to bytea on PostgreSQL only)
        if d[0] != "modify_type"
        and not _table_of(d).startswith(NOT_MODELLED)
        and not (d[0].endswith("_index") and d[1].name in NOT_MODELLED_INDEXES)
    ]
    assert differences == []
