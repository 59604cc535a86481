"""spot checks

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 05:11:25.239973

The city's 双随机 spot-check draws: each plan with its seed, filter and roster fingerprints, its tasks and their
inspectors.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('spot_check_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.Enum('self_check', 'county_full', 'city_spot', 'surprise', 'video', 'cross', name='inspectionmode', native_enum=False, length=20), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('filter', sa.Text(), nullable=False),
    sa.Column('per_task', sa.Integer(), nullable=False),
    sa.Column('enterprises_hash', sa.String(length=64), nullable=False),
    sa.Column('inspectors_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('spot_check_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['spot_check_plan.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('plan_id', 'position')
    )
    with op.batch_alter_table('spot_check_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spot_check_task_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_spot_check_task_plan_id'), ['plan_id'], unique=False)

    op.create_table('spot_check_inspector',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['spot_check_task.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('task_id', 'user_id')
    )
    with op.batch_alter_table('spot_check_inspector', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spot_check_inspector_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('spot_check_inspector', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spot_check_inspector_user_id'))
    op.drop_table('spot_check_inspector')
    with op.batch_alter_table('spot_check_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spot_check_task_plan_id'))
        batch_op.drop_index(batch_op.f('ix_spot_check_task_enterprise_id'))

    op.drop_table('spot_check_task')
    op.drop_table('spot_check_plan')
