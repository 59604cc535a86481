"""rectification: listed supervision, proof photos, history actions, activation, login attempts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 12:02:29.594107
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_attempt_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_attempt_key'), ['key'], unique=False)

    with op.batch_alter_table('hazard', schema=None) as batch_op:
        batch_op.add_column(sa.Column('listed_unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('listed_deadline', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('listed_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_hazard_listed_unit_id'), ['listed_unit_id'], unique=False)
        batch_op.create_foreign_key('fk_hazard_listed_unit_id_unit', 'unit', ['listed_unit_id'], ['id'])

    with op.batch_alter_table('hazard_history', schema=None) as batch_op:
        batch_op.add_column(sa.Column('action', sa.Enum('found', 'submitted', 'accepted', 'rejected', 'extended', 'listed', name='historyaction', native_enum=False, length=20), nullable=False, server_default='found'))
        batch_op.add_column(sa.Column('deadline_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('deadline_to', sa.Date(), nullable=True))
    # Rows written before this migration tell their action by their statuses.
    op.execute(
        "UPDATE hazard_history SET action = CASE"
        " WHEN from_status IS NULL THEN 'found'"
        " WHEN to_status = 'submitted' THEN 'submitted'"
        " WHEN to_status = 'closed' THEN 'accepted'"
        " ELSE 'rejected' END"
    )

    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('evidence', 'proof', name='photokind', native_enum=False, length=20), nullable=False, server_default='evidence'))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('activation_code_hash', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('activation_expires_at', sa.DateTime(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('activation_expires_at')
        batch_op.drop_column('activation_code_hash')

    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.drop_column('kind')

    with op.batch_alter_table('hazard_history', schema=None) as batch_op:
        batch_op.drop_column('deadline_to')
        batch_op.drop_column('deadline_from')
        batch_op.drop_column('action')

    with op.batch_alter_table('hazard', schema=None) as batch_op:
        batch_op.drop_constraint('fk_hazard_listed_unit_id_unit', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_hazard_listed_unit_id'))
        batch_op.drop_column('listed_at')
        batch_op.drop_column('listed_deadline')
        batch_op.drop_column('listed_unit_id')

    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_attempt_key'))
        batch_op.drop_index(batch_op.f('ix_login_attempt_at'))

    op.drop_table('login_attempt')
