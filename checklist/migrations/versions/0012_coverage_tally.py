"""coverage tally

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 05:32:20.897356

检查全覆盖, kept (checklist/tallies.py): the first day each kind of inspection reached each enterprise of a
campaign, counted here from the inspections already submitted.
"""
from alembic import op
import sqlalchemy as sa

from checklist import tallies


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('coverage_tally',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('self_checked_on', sa.Date(), nullable=True),
    sa.Column('county_on', sa.Date(), nullable=True),
    sa.Column('city_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], ),
    sa.PrimaryKeyConstraint('campaign_id', 'enterprise_id')
    )
    tallies.rebuild_coverage(op.get_bind())


def downgrade() -> None:
    op.drop_table('coverage_tally')
