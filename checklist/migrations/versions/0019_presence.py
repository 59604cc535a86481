"""presence evidence and marked photos

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 16:00:00.000000

The roster's registered location of an enterprise (WGS-84 degrees); where the phone was when an inspection started
and when each photo was taken, with its accuracy, the fix's time and the sending by the phone's clock, and when the
server received the start; and a photo's marked copy (circles, arrows, text drawn on the phone) pointing at its
original. Columns only, each nullable: nothing is rewritten.
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

POSITION = ('latitude', 'longitude', 'accuracy')
TIMES = ('located_at', 'sent_at')


def upgrade() -> None:
    for column in ('latitude', 'longitude'):
        op.add_column('enterprise', sa.Column(column, sa.Float(), nullable=True))
    for column in POSITION:
        op.add_column('inspection', sa.Column(f'start_{column}', sa.Float(), nullable=True))
    for column in (*TIMES, 'received_at'):
        op.add_column('inspection', sa.Column(f'start_{column}', sa.DateTime(), nullable=True))
    for column in POSITION:
        op.add_column('photo', sa.Column(column, sa.Float(), nullable=True))
    for column in TIMES:
        op.add_column('photo', sa.Column(column, sa.DateTime(), nullable=True))
    # SQLite adds a column with its REFERENCES clause in place (a batch would copy the whole photo table to add the
    # foreign key); PostgreSQL adds the column, then the constraint.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE photo ADD COLUMN marked_from_id INTEGER REFERENCES photo (id)')
    else:
        op.add_column('photo', sa.Column('marked_from_id', sa.Integer(), nullable=True))
        op.create_foreign_key('photo_marked_from_id_fkey', 'photo', 'photo', ['marked_from_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('photo', schema=None) as batch_op:
        if op.get_bind().dialect.name != 'sqlite':
            batch_op.drop_constraint('photo_marked_from_id_fkey', type_='foreignkey')
        for column in ('marked_from_id', *POSITION, *TIMES):
            batch_op.drop_column(column)
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        for column in (*POSITION, *TIMES, 'received_at'):
            batch_op.drop_column(f'start_{column}')
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        for column in ('latitude', 'longitude'):
            batch_op.drop_column(column)
