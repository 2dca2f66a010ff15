"""the legal rules: late arrivals per occurrence, a report's DUO registration, the rules'
version the signals were computed with

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 18:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    # A pupil can be late more than once a day (per lesson): one row per occurrence.
    with op.batch_alter_table('late_arrival', schema=None) as batch_op:
        batch_op.drop_constraint('uq_late_arrival_pupil_day', type_='unique')
        batch_op.create_unique_constraint(
            'uq_late_arrival_occurrence', ['pupil_id', 'day', 'lesson_hour']
        )
    # The school's legal duty is a report in DUO's verzuimregister: when, and its number.
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duo_reported_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('duo_reference', sa.String(length=40), nullable=True))
    # The signals are recomputed (in bulk, by the worker) when the rules change.
    with op.batch_alter_table('attendance_settings', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('rules_version', sa.Integer(), nullable=False, server_default='0')
        )


def downgrade():
    with op.batch_alter_table('attendance_settings', schema=None) as batch_op:
        batch_op.drop_column('rules_version')
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_column('duo_reference')
        batch_op.drop_column('duo_reported_on')
    with op.batch_alter_table('late_arrival', schema=None) as batch_op:
        batch_op.drop_constraint('uq_late_arrival_occurrence', type_='unique')
        batch_op.create_unique_constraint('uq_late_arrival_pupil_day', ['pupil_id', 'day'])
