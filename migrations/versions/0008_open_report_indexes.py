"""partial indexes on the open reports (inboxes and their counts)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 00:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

OPEN = sa.text("status IN ('geregistreerd', 'in_behandeling')")


def upgrade():
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index(
            'ix_report_open_school', ['school_id', 'deadline'], unique=False,
            postgresql_where=OPEN, sqlite_where=OPEN,
        )
        batch_op.create_index(
            'ix_report_open_assigned', ['assigned_consultant_id', 'deadline'], unique=False,
            postgresql_where=OPEN, sqlite_where=OPEN,
        )


def downgrade():
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index('ix_report_open_assigned')
        batch_op.drop_index('ix_report_open_school')
