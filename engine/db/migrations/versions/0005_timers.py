"""timers: change feed (SQLite outbox / PostgreSQL NOTIFY), timer start occurrences, scheduler lease

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# A case's due time or status changed, or a process version was deployed: tell the scheduler, inside the
# same transaction as the change (so a rolled-back save tells nothing and a committed one always tells).
_SQLITE_TRIGGERS = [
    """CREATE TRIGGER trg_timer_change_case_insert AFTER INSERT ON process_instance
       WHEN NEW.next_timer_due_at IS NOT NULL
       BEGIN INSERT INTO timer_change (kind, ref, version) VALUES ('case', NEW.id, NEW.lock_version); END""",
    """CREATE TRIGGER trg_timer_change_case_update AFTER UPDATE OF next_timer_due_at, status ON process_instance
       WHEN NEW.next_timer_due_at IS NOT OLD.next_timer_due_at OR NEW.status IS NOT OLD.status
       BEGIN INSERT INTO timer_change (kind, ref, version) VALUES ('case', NEW.id, NEW.lock_version); END""",
    """CREATE TRIGGER trg_timer_change_definition AFTER INSERT ON process_version
       BEGIN INSERT INTO timer_change (kind, ref) VALUES ('definition', NEW.process_id); END""",
]

# The channel carries the schema's hash so that schedulers of different schemas in one database (tests,
# several deployments) hear only their own changes.
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION vb_timer_change_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  channel text := 'vb_timers_' || substr(md5(TG_TABLE_SCHEMA), 1, 16);
BEGIN
  IF TG_TABLE_NAME = 'process_instance' THEN
    PERFORM pg_notify(channel, 'case:' || NEW.id || ':' || NEW.lock_version);
  ELSE
    PERFORM pg_notify(channel, 'definition:' || NEW.process_id);
  END IF;
  RETURN NULL;
END $$
"""
_PG_TRIGGERS = [
    """CREATE TRIGGER trg_timer_change_case_insert AFTER INSERT ON process_instance
       FOR EACH ROW WHEN (NEW.next_timer_due_at IS NOT NULL) EXECUTE FUNCTION vb_timer_change_notify()""",
    """CREATE TRIGGER trg_timer_change_case_update AFTER UPDATE OF next_timer_due_at, status ON process_instance
       FOR EACH ROW WHEN (NEW.next_timer_due_at IS DISTINCT FROM OLD.next_timer_due_at
                          OR NEW.status IS DISTINCT FROM OLD.status)
       EXECUTE FUNCTION vb_timer_change_notify()""",
    """CREATE TRIGGER trg_timer_change_definition AFTER INSERT ON process_version
       FOR EACH ROW EXECUTE FUNCTION vb_timer_change_notify()""",
]


def upgrade():
    op.create_table(
        "timer_change",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timer_change")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "timer_start_occurrence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurrence_key", sa.String(length=300), nullable=False),
        sa.Column("process_id", sa.String(length=200), nullable=False),
        sa.Column("element_id", sa.String(length=200), nullable=False),
        sa.Column("occurrence_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("process_version_id", sa.Integer(), nullable=False),
        sa.Column("business_key", sa.String(length=120), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["process_version_id"], ["process_version.id"],
                                name=op.f("fk_timer_start_occurrence_process_version_id_process_version")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timer_start_occurrence")),
        sa.UniqueConstraint("occurrence_key", name=op.f("uq_timer_start_occurrence_occurrence_key")),
    )
    op.create_index("ix_timer_start_occurrence_process_id_at", "timer_start_occurrence",
                    ["process_id", "occurrence_at"], unique=False)
    op.create_table(
        "scheduler_lease",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_lease")),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(_PG_FUNCTION)
        for statement in _PG_TRIGGERS:
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for name, table in (("trg_timer_change_case_insert", "process_instance"),
                        ("trg_timer_change_case_update", "process_instance"),
                        ("trg_timer_change_definition", "process_version")):
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS vb_timer_change_notify()")
    op.drop_table("scheduler_lease")
    op.drop_index("ix_timer_start_occurrence_process_id_at", table_name="timer_start_occurrence")
    op.drop_table("timer_start_occurrence")
    op.drop_table("timer_change")
