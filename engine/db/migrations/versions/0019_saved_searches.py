"""saved case searches per user; the indexes of the case search

Revision ID: 0019
Revises: 0018
"""
from alembic import op
import sqlalchemy as sa


revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "saved_search",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("query", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_saved_search_user_id_app_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_search")),
        sa.UniqueConstraint("user_id", "name", name="uq_saved_search_user_name"),
    )
    op.create_index(op.f("ix_saved_search_user_id"), "saved_search", ["user_id"], unique=False)
    op.create_index("ix_process_instance_search", "process_instance",
                    ["started_at", "business_key", "title", "municipality_code", "status", "process_id", "started_by",
                     "id"], unique=False)
    op.drop_index("ix_process_instance_started_at", table_name="process_instance")
    op.create_index("ix_process_instance_started_by", "process_instance", ["started_by"], unique=False)
    op.create_index("ix_case_figures_role_instance", "case_figures", ["office_holder_role", "instance_id"], unique=False)
    op.create_index("ix_human_task_element_status_instance", "human_task", ["element_id", "status", "instance_id"],
                    unique=False)


def downgrade():
    op.drop_index("ix_human_task_element_status_instance", table_name="human_task")
    op.drop_index("ix_case_figures_role_instance", table_name="case_figures")
    op.drop_index("ix_process_instance_started_by", table_name="process_instance")
    op.create_index("ix_process_instance_started_at", "process_instance", ["started_at"], unique=False)
    op.drop_index("ix_process_instance_search", table_name="process_instance")
    op.drop_index(op.f("ix_saved_search_user_id"), table_name="saved_search")
    op.drop_table("saved_search")
