"""scale

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 11:40:00.000000

At city scale: the cross-check (印证) kept when a city on-site inspection is submitted, filled here from the
inspections already submitted; indexes for the lists that page through hazards by deadline, for an officer's own
inspections and drafts, for the listed hazards due soon, and for a county's hazards in one state. SQLite then gathers fresh statistics (ANALYZE) so
that its planner uses them; PostgreSQL's autovacuum does that by itself.
"""
from alembic import op
import sqlalchemy as sa

from checklist import tallies


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cross_check',
    sa.Column('city_inspection_id', sa.Integer(), nullable=False),
    sa.Column('county_inspection_id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('discrepancies', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['city_inspection_id'], ['inspection.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['county_id'], ['county.id'], ),
    sa.ForeignKeyConstraint(['county_inspection_id'], ['inspection.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('city_inspection_id')
    )
    with op.batch_alter_table('cross_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cross_check_county_id'), ['county_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cross_check_county_inspection_id'), ['county_inspection_id'], unique=False)

    op.create_table('discrepancy',
    sa.Column('hazard_id', sa.Integer(), nullable=False),
    sa.Column('city_inspection_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('passed', 'reopened', name='discrepancykind', native_enum=False, length=20),
              nullable=False),
    sa.ForeignKeyConstraint(['city_inspection_id'], ['cross_check.city_inspection_id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazard.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('hazard_id')
    )
    with op.batch_alter_table('discrepancy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discrepancy_city_inspection_id'), ['city_inspection_id'], unique=False)

    with op.batch_alter_table('hazard', schema=None) as batch_op:
        batch_op.drop_index('ix_hazard_status')
        batch_op.drop_index('ix_hazard_enterprise_id')
        batch_op.create_index('ix_hazard_enterprise_status', ['enterprise_id', 'status'], unique=False)
        batch_op.create_index('ix_hazard_deadline', ['deadline', 'id'], unique=False)
        batch_op.create_index('ix_hazard_status_deadline', ['status', 'deadline', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazard_listed_deadline'), ['listed_deadline'], unique=False)
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_created_by_id'), ['created_by_id'], unique=False)
    with op.batch_alter_table('inspection_inspector', schema=None) as batch_op:
        batch_op.create_index('ix_inspection_inspector_user_id', ['user_id', 'inspection_id'], unique=False)

    tallies.rebuild_cross_checks(op.get_bind())
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ANALYZE')


def downgrade() -> None:
    with op.batch_alter_table('inspection_inspector', schema=None) as batch_op:
        batch_op.drop_index('ix_inspection_inspector_user_id')
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_created_by_id'))
    with op.batch_alter_table('hazard', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hazard_listed_deadline'))
        batch_op.drop_index('ix_hazard_status_deadline')
        batch_op.drop_index('ix_hazard_deadline')
        batch_op.create_index('ix_hazard_status', ['status'], unique=False)
        batch_op.drop_index('ix_hazard_enterprise_status')
        batch_op.create_index('ix_hazard_enterprise_id', ['enterprise_id'], unique=False)
    op.drop_table('discrepancy')
    op.drop_table('cross_check')
