"""cross assignments

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 05:17:28.695125

交叉检查: a team of one county sent to an enterprise of another for a period.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cross_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cross_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cross_assignment_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cross_assignment_team_id'), ['team_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cross_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cross_assignment_team_id'))
        batch_op.drop_index(batch_op.f('ix_cross_assignment_enterprise_id'))

    op.drop_table('cross_assignment')
