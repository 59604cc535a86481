"""documents

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 08:00:00.000000

The legal paper chain of an inspection: each unit's prefix for its document numbers, each inspector's
执法证号, the numbered documents and their gap-free sequences, re-inspections (复查) with a verdict per
hazard, and the enterprises' extension requests (延期审批).
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def kind(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=20)


DOCUMENT_KIND = ('record', 'measures', 'order', 'review')


def upgrade() -> None:
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document_prefix', sa.String(length=30), server_default='', nullable=False))
        batch_op.add_column(sa.Column('review_bodies', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('court', sa.String(length=60), server_default='', nullable=False))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('card_number', sa.String(length=30), server_default='', nullable=False))
        batch_op.create_index('uq_user_card_number', ['card_number'], unique=True,
                              sqlite_where=sa.text("card_number <> ''"), postgresql_where=sa.text("card_number <> ''"))
    op.create_table(
        'reinspection',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('inspection_id', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id']),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id']),
        sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('uuid'),
    )
    for column in ('inspection_id', 'enterprise_id', 'unit_id'):
        op.create_index(f'ix_reinspection_{column}', 'reinspection', [column])
    op.create_table(
        'reinspection_inspector',
        sa.Column('reinspection_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['reinspection_id'], ['reinspection.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('reinspection_id', 'user_id'),
    )
    op.create_table(
        'review_result',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reinspection_id', sa.Integer(), nullable=False),
        sa.Column('hazard_id', sa.Integer(), nullable=False),
        sa.Column('verdict', kind('reviewverdict', 'fixed', 'partial', 'not_fixed'), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('new_deadline', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['hazard_id'], ['hazard.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['reinspection_id'], ['reinspection.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('reinspection_id', 'hazard_id'),
    )
    op.create_index('ix_review_result_hazard_id', 'review_result', ['hazard_id'])
    op.create_table(
        'document',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('kind', kind('documentkind', *DOCUMENT_KIND), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('serial', sa.Integer(), nullable=False),
        sa.Column('prefix', sa.String(length=30), nullable=False),
        sa.Column('inspection_id', sa.Integer(), nullable=False),
        sa.Column('reinspection_id', sa.Integer(), nullable=True),
        sa.Column('issued_at', sa.DateTime(), nullable=False),
        sa.Column('issued_by_id', sa.Integer(), nullable=False),
        sa.Column('voided_at', sa.DateTime(), nullable=True),
        sa.Column('voided_by_id', sa.Integer(), nullable=True),
        sa.Column('void_reason', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id']),
        sa.ForeignKeyConstraint(['issued_by_id'], ['user.id']),
        sa.ForeignKeyConstraint(['reinspection_id'], ['reinspection.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id']),
        sa.ForeignKeyConstraint(['voided_by_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('unit_id', 'kind', 'year', 'serial'),
    )
    op.create_index('ix_document_inspection_id', 'document', ['inspection_id'])
    op.create_index('ix_document_reinspection_id', 'document', ['reinspection_id'])
    op.create_table(
        'document_sequence',
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('kind', kind('documentkind', *DOCUMENT_KIND), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id']),
        sa.PrimaryKeyConstraint('unit_id', 'kind', 'year'),
    )
    op.create_table(
        'extension_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('hazard_id', sa.Integer(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('deadline_from', sa.Date(), nullable=False),
        sa.Column('requested_deadline', sa.Date(), nullable=False),
        sa.Column('decision', kind('extensiondecision', 'pending', 'approved', 'refused'), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decision_note', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id']),
        sa.ForeignKeyConstraint(['hazard_id'], ['hazard.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['requested_by_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_extension_request_hazard_id', 'extension_request', ['hazard_id'])


def downgrade() -> None:
    op.drop_table('extension_request')
    op.drop_table('document_sequence')
    op.drop_table('document')
    op.drop_table('review_result')
    op.drop_table('reinspection_inspector')
    op.drop_table('reinspection')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index('uq_user_card_number')
        batch_op.drop_column('card_number')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_column('court')
        batch_op.drop_column('review_bodies')
        batch_op.drop_column('document_prefix')
