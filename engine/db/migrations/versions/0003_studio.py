"""studio workspace: drafts and scenario tests

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "studio_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("base_file_id", sa.Integer(), nullable=True),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["base_file_id"], ["definition_file.id"],
                                name=op.f("fk_studio_file_base_file_id_definition_file")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studio_file")),
        sa.UniqueConstraint("file_name", name=op.f("uq_studio_file_file_name")),
    )


def downgrade():
    op.drop_table("studio_file")
