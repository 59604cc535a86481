"""daily coverage

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 05:19:42.343351

A daily report keeps the coverage (检查全覆盖) of its day: enterprises inspected so far and not yet.
Reports sent before this carry 0, as their figures were taken then.
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('daily_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enterprises_inspected', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('enterprises_not_inspected', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('daily_report', schema=None) as batch_op:
        batch_op.drop_column('enterprises_not_inspected')
        batch_op.drop_column('enterprises_inspected')

