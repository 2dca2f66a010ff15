"""region indexes: open signals in page order, pupils who left

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 00:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('signal', schema=None) as batch_op:
        batch_op.create_index(
            'ix_signal_open_order',
            ['resolved', sa.text('legal_duty DESC'), sa.text('reached_on DESC'), 'id', 'school_id', 'pupil_id'],
            unique=False,
        )
    with op.batch_alter_table('pupil', schema=None) as batch_op:
        batch_op.create_index('ix_pupil_left_on', ['left_on'], unique=False)


def downgrade():
    with op.batch_alter_table('pupil', schema=None) as batch_op:
        batch_op.drop_index('ix_pupil_left_on')
    with op.batch_alter_table('signal', schema=None) as batch_op:
        batch_op.drop_index('ix_signal_open_order')
