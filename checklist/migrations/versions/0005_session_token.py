"""session token

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 09:00:00.000000

Every user gets a random session token; the cookies of a login carry it, and a new token ends them.
Existing users get a token of their own here, so the sessions issued before (which carry none) end
with this upgrade: everyone logs in once more.
"""
import uuid

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=32), nullable=False, server_default=''))

    user = sa.table('user', sa.column('id', sa.Integer()), sa.column('session_token', sa.String(length=32)))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(user.c.id)).all():
        connection.execute(user.update().where(user.c.id == user_id).values(session_token=uuid.uuid4().hex))


def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_token')
