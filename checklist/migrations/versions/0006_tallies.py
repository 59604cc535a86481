"""tallies

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 15:45:00.000000

The dashboards' tallies (checklist/tallies.py), counted here from the hazards already recorded, and
the indexes that let the dashboards count inspections by mode and by sector without reading the rows.
"""
from alembic import op
import sqlalchemy as sa

from checklist import tallies


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

LEVEL = sa.Enum('general', 'major', name='hazardlevel', native_enum=False, length=20)
STATUS = sa.Enum('open', 'submitted', 'closed', name='hazardstatus', native_enum=False, length=20)


def upgrade() -> None:
    op.create_table('hazard_tally',
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('level', LEVEL, nullable=False),
    sa.Column('status', STATUS, nullable=False),
    sa.Column('listed', sa.Boolean(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['county_id'], ['county.id'], ),
    sa.PrimaryKeyConstraint('county_id', 'level', 'status', 'listed', 'deadline')
    )
    op.create_table('campaign_tally',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('found', sa.Integer(), nullable=False),
    sa.Column('closed', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    sa.ForeignKeyConstraint(['county_id'], ['county.id'], ),
    sa.PrimaryKeyConstraint('campaign_id', 'county_id', 'day')
    )
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.create_index('ix_inspection_campaign_status_mode', ['campaign_id', 'status', 'mode'], unique=False)
        batch_op.create_index('ix_inspection_campaign_status_enterprise', ['campaign_id', 'status', 'enterprise_id'],
                              unique=False)
    tallies.rebuild(op.get_bind(), kinds=("count", "found", "closed"))


def downgrade() -> None:
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_index('ix_inspection_campaign_status_enterprise')
        batch_op.drop_index('ix_inspection_campaign_status_mode')
    op.drop_table('campaign_tally')
    op.drop_table('hazard_tally')
