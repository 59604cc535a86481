"""oversight

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 04:20:29.200750

督政: an inspection and the problems it finds may target a unit instead of an enterprise; the 督政
checklist has no sector; its items name the evidence shown beside them; a team keeps when it was
registered; 通报, 曝光 and 约谈 of units are recorded as measures.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

ONE_TARGET = "(enterprise_id IS NULL) <> (inspected_unit_id IS NULL)"


def upgrade() -> None:
    op.create_table('measure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('notice', 'exposure', 'interview', name='measurekind', native_enum=False, length=20), nullable=False),
    sa.Column('persons', sa.String(length=200), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('document_number', sa.String(length=60), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uuid')
    )
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_unit_id'), ['unit_id'], unique=False)

    with op.batch_alter_table('checklist', schema=None) as batch_op:
        batch_op.alter_column('sector_id', existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index('uq_checklist_oversight_version', ['version'], unique=True,
                              sqlite_where=sa.text('sector_id IS NULL'), postgresql_where=sa.text('sector_id IS NULL'))

    with op.batch_alter_table('checklist_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evidence', sa.String(length=20), server_default='', nullable=False))

    for table in ('hazard', 'inspection'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('inspected_unit_id', sa.Integer(), nullable=True))
            batch_op.alter_column('enterprise_id', existing_type=sa.INTEGER(), nullable=True)
            batch_op.create_index(batch_op.f(f'ix_{table}_inspected_unit_id'), ['inspected_unit_id'], unique=False)
            batch_op.create_foreign_key(f'fk_{table}_inspected_unit_id_unit', 'unit', ['inspected_unit_id'], ['id'])
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.create_check_constraint('ck_inspection_one_target', ONE_TARGET)

    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_column('created_at')

    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_constraint('ck_inspection_one_target', type_='check')
    for table in ('inspection', 'hazard'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f'fk_{table}_inspected_unit_id_unit', type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_inspected_unit_id'))
            batch_op.alter_column('enterprise_id', existing_type=sa.INTEGER(), nullable=False)
            batch_op.drop_column('inspected_unit_id')

    with op.batch_alter_table('checklist_item', schema=None) as batch_op:
        batch_op.drop_column('evidence')

    with op.batch_alter_table('checklist', schema=None) as batch_op:
        batch_op.drop_index('uq_checklist_oversight_version')
        batch_op.alter_column('sector_id', existing_type=sa.INTEGER(), nullable=False)

    op.drop_table('measure')
