"""reporting

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 12:13:27.907975
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('daily_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('report_date', sa.Date(), nullable=False),
    sa.Column('video_checks', sa.Integer(), nullable=False),
    sa.Column('surprise_checks', sa.Integer(), nullable=False),
    sa.Column('supervision_checks', sa.Integer(), nullable=False),
    sa.Column('hazards_found', sa.Integer(), nullable=False),
    sa.Column('hazards_closed', sa.Integer(), nullable=False),
    sa.Column('enforcement_actions', sa.Integer(), nullable=False),
    sa.Column('fines_wan', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('leadership', sa.Text(), nullable=False),
    sa.Column('highlights', sa.Text(), nullable=False),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.Column('typical_cases', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('unit_id', 'report_date')
    )
    with op.batch_alter_table('daily_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_daily_report_report_date'), ['report_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_daily_report_unit_id'), ['unit_id'], unique=False)

    op.create_table('monthly_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('highlights', sa.Text(), nullable=False),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('unit_id', 'month')
    )
    with op.batch_alter_table('monthly_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monthly_report_unit_id'), ['unit_id'], unique=False)

    op.create_table('table_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('highlights', sa.Text(), nullable=False),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.Column('remarks', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('unit_id', 'starts_on', 'ends_on')
    )
    with op.batch_alter_table('checklist', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=10), nullable=False, server_default='file'))
        batch_op.add_column(sa.Column('imported_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_checklist_imported_by_id_user', 'user', ['imported_by_id'], ['id'])

    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('liaison_name', sa.String(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('liaison_phone', sa.String(length=20), nullable=False, server_default=''))



def downgrade() -> None:
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_column('liaison_phone')
        batch_op.drop_column('liaison_name')

    with op.batch_alter_table('checklist', schema=None) as batch_op:
        batch_op.drop_constraint('fk_checklist_imported_by_id_user', type_='foreignkey')
        batch_op.drop_column('imported_by_id')
        batch_op.drop_column('source')

    op.drop_table('table_note')
    with op.batch_alter_table('monthly_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monthly_report_unit_id'))

    op.drop_table('monthly_report')
    with op.batch_alter_table('daily_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_daily_report_unit_id'))
        batch_op.drop_index(batch_op.f('ix_daily_report_report_date'))

    op.drop_table('daily_report')
