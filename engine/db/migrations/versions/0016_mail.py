"""e-mail notifications: users' address and language, preferences, the mail outbox, due-date reminders

Revision ID: 0016
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa


revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# A new reminder wakes the timer scheduler the way a case's new due time does (0005_timers.py): through the
# change outbox on SQLite, a NOTIFY on the scheduler's channel on PostgreSQL.
_SQLITE_TRIGGER = """CREATE TRIGGER trg_timer_change_reminder_insert AFTER INSERT ON task_reminder
   BEGIN INSERT INTO timer_change (kind, ref) VALUES ('reminder', NEW.task_id); END"""
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION vb_task_reminder_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('vb_timers_' || substr(md5(TG_TABLE_SCHEMA), 1, 16), 'reminder:' || NEW.task_id);
  RETURN NULL;
END $$
"""
_PG_TRIGGER = """CREATE TRIGGER trg_timer_change_reminder_insert AFTER INSERT ON task_reminder
   FOR EACH ROW EXECUTE FUNCTION vb_task_reminder_notify()"""


def upgrade():
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("language", sa.String(length=2), nullable=False, server_default="nl"))
    op.create_table(
        "notification_preference",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("modes", sa.JSON(), nullable=False),
        sa.Column("digest_hour", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_notification_preference_user_id_app_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_preference")),
    )
    op.create_table(
        "mail_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=True),
        sa.Column("instance_id", sa.String(length=36), nullable=True),
        sa.Column("task_name", sa.String(length=300), nullable=False),
        sa.Column("business_key", sa.String(length=120), nullable=False),
        sa.Column("municipality_code", sa.String(length=6), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("digest_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_mail_message_user_id_app_user"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"],
                                name=op.f("fk_mail_message_instance_id_process_instance"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["digest_id"], ["mail_message.id"], name=op.f("fk_mail_message_digest_id_mail_message"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_message")),
        sa.UniqueConstraint("kind", "task_id", "user_id", name="uq_mail_message_kind_task_id_user_id"),
    )
    op.create_index("ix_mail_message_status_next_attempt_at", "mail_message", ["status", "next_attempt_at"])
    op.create_index("ix_mail_message_user_id_status", "mail_message", ["user_id", "status"])
    op.create_index(op.f("ix_mail_message_instance_id"), "mail_message", ["instance_id"])
    op.create_index(op.f("ix_mail_message_digest_id"), "mail_message", ["digest_id"])
    op.create_table(
        "task_reminder",
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["human_task.id"], name=op.f("fk_task_reminder_task_id_human_task"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("task_id", "kind", name=op.f("pk_task_reminder")),
    )
    op.create_index("ix_task_reminder_at", "task_reminder", ["at"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(_SQLITE_TRIGGER)
    elif dialect == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(_PG_TRIGGER)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_timer_change_reminder_insert ON task_reminder")
        op.execute("DROP FUNCTION IF EXISTS vb_task_reminder_notify()")
    else:
        op.execute("DROP TRIGGER IF EXISTS trg_timer_change_reminder_insert")
    op.drop_index("ix_task_reminder_at", table_name="task_reminder")
    op.drop_table("task_reminder")
    op.drop_index(op.f("ix_mail_message_digest_id"), table_name="mail_message")
    op.drop_index(op.f("ix_mail_message_instance_id"), table_name="mail_message")
    op.drop_index("ix_mail_message_user_id_status", table_name="mail_message")
    op.drop_index("ix_mail_message_status_next_attempt_at", table_name="mail_message")
    op.drop_table("mail_message")
    op.drop_table("notification_preference")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("language")
        batch.drop_column("email")
