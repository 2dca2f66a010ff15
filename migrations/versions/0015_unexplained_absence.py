"""absence "nog niet verantwoord": a kind of absence and of signal, and the days after which
it counts as unauthorised

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 19:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

ABSENCE_KINDS = (
    'ziek', 'verlof', 'schorsing', 'overig_geoorloofd', 'ongeoorloofd', 'luxe_verzuim',
    'oneigenlijk_ziek',
)
SIGNAL_KINDS = ('zestien_uur', 'langdurig', 'te_laat', 'ziekteverzuim', 'patroon')
# The CHECK constraints of the enums (portal.db.str_enum), named by the naming convention.
CHECKS = (
    ('absence', 'absence_kind', ABSENCE_KINDS, 'onverantwoord'),
    ('report_registration', 'absence_kind', ABSENCE_KINDS, 'onverantwoord'),
    ('signal', 'signal_kind', SIGNAL_KINDS, 'onverantwoord'),
)


def _condition(values):
    return "kind IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _replace_checks(with_new: bool) -> None:
    for table, name, values, new in CHECKS:
        allowed = (*values, new) if with_new else values
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
            batch_op.create_check_constraint(name, _condition(allowed))


def upgrade():
    _replace_checks(with_new=True)
    with op.batch_alter_table('attendance_settings', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('unexplained_days', sa.SmallInteger(), nullable=False, server_default='2')
        )


def downgrade():
    with op.batch_alter_table('attendance_settings', schema=None) as batch_op:
        batch_op.drop_column('unexplained_days')
    for table in ('absence', 'report_registration'):
        op.execute(sa.text(f"DELETE FROM {table} WHERE kind = 'onverantwoord'"))
    op.execute(sa.text("DELETE FROM signal WHERE kind = 'onverantwoord'"))
    _replace_checks(with_new=False)
