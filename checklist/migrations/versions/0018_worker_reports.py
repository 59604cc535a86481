"""worker reports

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-10 10:00:00.000000

员工隐患报告: anyone reports a hazard through an enterprise's QR code, without logging in; the report waits in the
queue of the unit that supervises the enterprise until it is turned into a hazard or dismissed. Its photo is a photo
like any other but has no uploader: photo.uploaded_by_id may be empty when photo.worker_report_id is not.
The inspection modes and statuses (report, recorded) are plain strings: no change to their columns.
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('worker_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('place', sa.String(length=100), nullable=False),
    sa.Column('contact', sa.String(length=60), nullable=False),
    sa.Column('status', sa.Enum('pending', 'accepted', 'dismissed', name='workerreportstatus', native_enum=False,
                                length=20), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('dismissal_reason', sa.Text(), nullable=False),
    sa.Column('hazard_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], ),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazard.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code_hash'),
    sa.UniqueConstraint('uuid'),
    )
    with op.batch_alter_table('worker_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_worker_report_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index('ix_worker_report_unit_status', ['unit_id', 'status', 'submitted_at'], unique=False)

    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.add_column(sa.Column('worker_report_id', sa.Integer(), nullable=True))
        batch_op.alter_column('uploaded_by_id', existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(batch_op.f('ix_photo_worker_report_id'), ['worker_report_id'], unique=False)
        batch_op.create_foreign_key('fk_photo_worker_report_id_worker_report', 'worker_report',
                                    ['worker_report_id'], ['id'], ondelete='CASCADE')
        batch_op.create_check_constraint('ck_photo_uploader',
                                         'uploaded_by_id IS NOT NULL OR worker_report_id IS NOT NULL')


def downgrade() -> None:
    if op.get_bind().execute(sa.text("SELECT 1 FROM inspection WHERE mode = 'report' LIMIT 1")).first():
        raise RuntimeError("hazards were recorded from workers' reports: the code before 0018 cannot read them")
    # The reports' photos go with them (their files stay in the photo store): every photo had an uploader before.
    op.execute('DELETE FROM photo WHERE worker_report_id IS NOT NULL')
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.drop_constraint('ck_photo_uploader', type_='check')
        batch_op.drop_constraint('fk_photo_worker_report_id_worker_report', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_photo_worker_report_id'))
        batch_op.alter_column('uploaded_by_id', existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column('worker_report_id')

    with op.batch_alter_table('worker_report', schema=None) as batch_op:
        batch_op.drop_index('ix_worker_report_unit_status')
        batch_op.drop_index(batch_op.f('ix_worker_report_enterprise_id'))

    op.drop_table('worker_report')
