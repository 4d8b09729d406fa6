"""web inbox: open tasks by age

An inbox sorted by age (newest or oldest first) reads this index in order and stops after one page,
instead of sorting every open task of the user.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_human_task_status_created_at", "human_task", ["status", "created_at"], unique=False)


def downgrade():
    op.drop_index("ix_human_task_status_created_at", table_name="human_task")
