"""import changes: what each import run wrote to each record, so a run can be rolled back as a whole

Revision ID: lists_01_import_changes
Revises: privacy_01_consent_erasure
Create Date: 2026-12-03 06:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'lists_01_import_changes'
down_revision = 'privacy_01_consent_erasure'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'importchange',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('run', sa.String(length=32), nullable=False),
        sa.Column('table', sa.String(length=20), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('before', sa.JSON(), nullable=True),
        sa.Column('after', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_importchange')),
    )
    with op.batch_alter_table('importchange', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_importchange_run'), ['run'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('importchange', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_importchange_run'))
    op.drop_table('importchange')
