"""one row per pupil and kind on the signals page: a signal's latest and latest_open flags

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 19:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('signal', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('latest', sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(
            sa.Column('latest_open', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Until the worker recomputes the signals with the new rules (RULES_VERSION), every open
    # signal stays on the page as before.
    op.execute(sa.text("UPDATE signal SET latest_open = NOT resolved"))


def downgrade():
    with op.batch_alter_table('signal', schema=None) as batch_op:
        batch_op.drop_column('latest_open')
        batch_op.drop_column('latest')
