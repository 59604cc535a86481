"""offline sites

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 16:00:00.000000

A phone keeps its county's sites offline and asks for those changed since it last asked: an enterprise's
`changed_at` (set as the roster import creates or changes it; NULL for those unchanged since before this) and the
time of its hazards' history rows, indexed. Columns and indexes added in place: no table is copied.
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('enterprise', sa.Column('changed_at', sa.DateTime(), nullable=True))
    op.create_index(op.f('ix_enterprise_changed_at'), 'enterprise', ['changed_at'], unique=False)
    op.create_index(op.f('ix_hazard_history_at'), 'hazard_history', ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('hazard_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hazard_history_at'))
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_changed_at'))
        batch_op.drop_column('changed_at')
