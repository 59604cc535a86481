"""criterion

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 06:00:00.000000

A checklist item keeps the 重大事故隐患判定标准 (document and article) it cites, if any: failing it makes
a major hazard by default. Items of earlier versions cite none.
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('checklist_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('criterion', sa.Text(), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('checklist_item', schema=None) as batch_op:
        batch_op.drop_column('criterion')
