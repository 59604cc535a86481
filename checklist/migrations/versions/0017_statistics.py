"""statistics kept

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 10:00:00.000000

The statistics table (统计表) reads kept figures, per unit and day, instead of counting the campaign's
inspections, hazards and actions (2.5 s for the city at a million hazards): who and what each unit's
inspections reached (the distinct columns), its hazards by day found and day closed, its actions. Filled here
from what is already submitted.
"""
from alembic import op
import sqlalchemy as sa

from checklist import tallies


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

LEVEL = sa.Enum('general', 'major', name='hazardlevel', native_enum=False, length=20)


def upgrade() -> None:
    op.create_table('statistics_presence',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('team', 'inspector', 'enterprise', 'unit', 'suspension', 'closure',
                              name='presencekind', native_enum=False, length=20), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('unit_id', 'kind', 'member_id', 'day'),
    sqlite_with_rowid=False,
    )
    op.create_table('statistics_hazards',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('level', LEVEL, nullable=False),
    sa.Column('found_on', sa.Date(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=False),
    sa.Column('hazards', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('unit_id', 'level', 'found_on', 'closed_on'),
    sqlite_with_rowid=False,
    )
    op.create_table('statistics_actions',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.Column('licences', sa.Integer(), nullable=False),
    sa.Column('others', sa.Integer(), nullable=False),
    sa.Column('fines_wan', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('unit_id', 'day'),
    sqlite_with_rowid=False,
    )
    tallies.rebuild(op.get_bind(), kinds=("hazards",))
    tallies.rebuild_statistics(op.get_bind())
    if op.get_bind().dialect.name == 'sqlite':
        for table in ('statistics_presence', 'statistics_hazards', 'statistics_actions'):
            op.execute(f'ANALYZE {table}')


def downgrade() -> None:
    op.drop_table('statistics_actions')
    op.drop_table('statistics_hazards')
    op.drop_table('statistics_presence')
