"""reaction working days kept with each report; index on the filing date (reaction figures)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from portal.calendar import working_days_between


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

BATCH = 5_000


def upgrade():
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reaction_working_days', sa.Integer(), nullable=True))
        batch_op.create_index('ix_report_filed_on', ['filed_on'], unique=False)

    report = sa.table(
        'report',
        sa.column('id', sa.Integer),
        sa.column('filed_on', sa.Date),
        sa.column('first_reaction_on', sa.Date),
        sa.column('reaction_working_days', sa.Integer),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(report.c.id, report.c.filed_on, report.c.first_reaction_on).where(
            report.c.first_reaction_on.is_not(None)
        )
    ).all()
    update = (
        sa.update(report)
        .where(report.c.id == sa.bindparam('report_id'))
        .values(reaction_working_days=sa.bindparam('days'))
    )
    for start in range(0, len(rows), BATCH):
        conn.execute(
            update,
            [
                {'report_id': r.id, 'days': working_days_between(r.filed_on, r.first_reaction_on)}
                for r in rows[start:start + BATCH]
            ],
        )


def downgrade():
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index('ix_report_filed_on')
        batch_op.drop_column('reaction_working_days')
