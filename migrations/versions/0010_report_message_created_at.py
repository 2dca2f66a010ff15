"""index on the time of report messages (the school's navigation count of new reactions)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 03:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report_message', schema=None) as batch_op:
        batch_op.create_index('ix_report_message_created_at', ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('report_message', schema=None) as batch_op:
        batch_op.drop_index('ix_report_message_created_at')
