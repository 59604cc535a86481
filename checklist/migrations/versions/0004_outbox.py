"""outbox

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 12:32:05.533867
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('declared_photo',
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('hazard_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazard.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['checklist_item.id'], ),
    sa.PrimaryKeyConstraint('inspection_id', 'uuid')
    )
    with op.batch_alter_table('declared_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_declared_photo_uuid'), ['uuid'], unique=False)

    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_hash', sa.String(length=64), nullable=False, server_default=''))

    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enterprise_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('uuid', sa.String(length=36), nullable=True))
        batch_op.alter_column('inspection_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_unique_constraint('uq_photo_uuid', ['uuid'])
        batch_op.create_foreign_key('fk_photo_enterprise_id_enterprise', 'enterprise', ['enterprise_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.drop_constraint('fk_photo_enterprise_id_enterprise', type_='foreignkey')
        batch_op.drop_constraint('uq_photo_uuid', type_='unique')
        batch_op.alter_column('inspection_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('uuid')
        batch_op.drop_column('enterprise_id')

    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_column('client_hash')

    with op.batch_alter_table('declared_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_declared_photo_uuid'))

    op.drop_table('declared_photo')
