"""a user task's priority (camunda:priority): urgent tasks first in the inbox

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa


revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("human_task") as batch:
        batch.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="50"))
    op.create_index("ix_human_task_status_priority", "human_task", ["status", "priority"])


def downgrade():
    op.drop_index("ix_human_task_status_priority", table_name="human_task")
    with op.batch_alter_table("human_task") as batch:
        batch.drop_column("priority")
