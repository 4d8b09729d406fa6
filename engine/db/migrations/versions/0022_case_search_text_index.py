"""the case search at 100,000 cases: a text index of business key and title; the case on its candidate rows

Revision ID: 0022
Revises: 0021

PostgreSQL: GIN trigram indexes (pg_trgm) on lower(business_key) and lower(title), which the search's
`lower(...) LIKE '%...%'` uses as it is. SQLite: a contentless FTS5 table with the trigram tokenizer, kept by
triggers on the case row (engine/instances/text_index.py says why). Both: `task_candidate.instance_id`, so
that the cases a role took part in are one index range, and the cases with a task of a user too.
"""
import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

# A stable integer per case for the FTS5 rowid: the case table's own rowid may change with VACUUM (its key
# is a text id), which would point the index at other cases.
SQLITE_CREATE = (
    "CREATE TABLE case_search_row (id INTEGER PRIMARY KEY, instance_id VARCHAR(36) NOT NULL UNIQUE)",
    "CREATE VIRTUAL TABLE case_search_text USING fts5(business_key, title, content='', tokenize='trigram')",
    "INSERT INTO case_search_row (instance_id) SELECT id FROM process_instance ORDER BY started_at",
    "INSERT INTO case_search_text (rowid, business_key, title) SELECT r.id, p.business_key, coalesce(p.title, '') "
    "FROM case_search_row r JOIN process_instance p ON p.id = r.instance_id",
    """CREATE TRIGGER case_search_insert AFTER INSERT ON process_instance BEGIN
        INSERT INTO case_search_row (instance_id) VALUES (new.id);
        INSERT INTO case_search_text (rowid, business_key, title)
            SELECT id, new.business_key, coalesce(new.title, '') FROM case_search_row WHERE instance_id = new.id;
    END""",
    # A contentless table forgets a row only when told the values it was given: the old ones, exactly.
    """CREATE TRIGGER case_search_update AFTER UPDATE OF business_key, title ON process_instance
    WHEN old.business_key IS NOT new.business_key OR old.title IS NOT new.title BEGIN
        INSERT INTO case_search_text (case_search_text, rowid, business_key, title)
            SELECT 'delete', id, old.business_key, coalesce(old.title, '') FROM case_search_row
            WHERE instance_id = old.id;
        INSERT INTO case_search_text (rowid, business_key, title)
            SELECT id, new.business_key, coalesce(new.title, '') FROM case_search_row WHERE instance_id = new.id;
    END""",
    """CREATE TRIGGER case_search_delete AFTER DELETE ON process_instance BEGIN
        INSERT INTO case_search_text (case_search_text, rowid, business_key, title)
            SELECT 'delete', id, old.business_key, coalesce(old.title, '') FROM case_search_row
            WHERE instance_id = old.id;
        DELETE FROM case_search_row WHERE instance_id = old.id;
    END""",
)
SQLITE_DROP = ("DROP TRIGGER IF EXISTS case_search_delete", "DROP TRIGGER IF EXISTS case_search_update",
               "DROP TRIGGER IF EXISTS case_search_insert", "DROP TABLE IF EXISTS case_search_text",
               "DROP TABLE IF EXISTS case_search_row")


def upgrade():
    bind = op.get_bind()
    op.drop_index("ix_human_task_assignee", table_name="human_task")
    op.create_index("ix_human_task_assignee_instance", "human_task", ["assignee", "instance_id"], unique=False)
    op.add_column("task_candidate", sa.Column("instance_id", sa.String(length=36), nullable=True))
    op.execute("UPDATE task_candidate SET instance_id = "
               "(SELECT human_task.instance_id FROM human_task WHERE human_task.id = task_candidate.task_id)")
    with op.batch_alter_table("task_candidate") as batch:
        batch.alter_column("instance_id", existing_type=sa.String(length=36), nullable=False)
    op.create_index("ix_task_candidate_group_name_instance", "task_candidate", ["group_name", "instance_id"],
                    unique=False)
    if bind.dialect.name == "postgresql":
        # In public, not in the first schema of the search path: a schema dropped with CASCADE (a test's, a
        # benchmark's) would take the extension, and every other schema's trigram index, with it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
        schema = bind.exec_driver_sql("SELECT extnamespace::regnamespace::text FROM pg_extension "
                                      "WHERE extname = 'pg_trgm'").scalar()
        for column in ("business_key", "title"):
            op.execute(f"CREATE INDEX ix_process_instance_{column}_trgm ON process_instance "
                       f"USING gin (lower({column}) {schema}.gin_trgm_ops)")
    elif bind.dialect.name == "sqlite":
        for statement in SQLITE_CREATE:
            op.execute(statement)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for column in ("business_key", "title"):  # the extension stays: other schemas may use it
            op.execute(f"DROP INDEX IF EXISTS ix_process_instance_{column}_trgm")
    elif bind.dialect.name == "sqlite":
        for statement in SQLITE_DROP:
            op.execute(statement)
    op.drop_index("ix_task_candidate_group_name_instance", table_name="task_candidate")
    with op.batch_alter_table("task_candidate") as batch:
        batch.drop_column("instance_id")
    op.drop_index("ix_human_task_assignee_instance", table_name="human_task")
    op.create_index("ix_human_task_assignee", "human_task", ["assignee"], unique=False)
