"""optimistic locking: a version on every editable record

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# Tables that had no version yet (report, transition_entry and evaluation had one).
TABLES = (
    'pupil',
    'case_action',
    'sma_referral',
    'thuiszitter',
    'evaluation_question',
    'municipality',
    'partnership',
    'school',
    'stand_in',
    'school_holiday',
    'attendance_settings',
    'user_account',
    'transition_table',
    'transition_agreement',
)
HAD_ONE = ('report', 'transition_entry', 'evaluation')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('version', sa.Integer(), server_default='1', nullable=False)
            )
    for table in HAD_ONE:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('version', server_default='1')


def downgrade():
    for table in HAD_ONE:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('version', server_default=None)
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
