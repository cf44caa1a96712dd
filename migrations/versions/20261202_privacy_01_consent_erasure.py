"""privacy: guardian consent with its date, guardian and recorder; erased players

Revision ID: privacy_01_consent_erasure
Revises: notify_01_outbox
Create Date: 2026-12-02 19:30:00
"""

import sqlalchemy as sa
from alembic import op

import tournament.db


revision = 'privacy_01_consent_erasure'
down_revision = 'notify_01_outbox'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('player', schema=None) as batch_op:
        batch_op.add_column(sa.Column('guardian_name', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('consent_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('consent_recorded_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('consent_legacy', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('erased_at', tournament.db.UTCDateTime(timezone=True), nullable=True))
    # Consents given before this change were a yes/no: keep them, marked as such (no date, no recorder).
    op.execute(sa.text("UPDATE player SET consent_legacy = :yes WHERE guardian_consent = :yes").bindparams(yes=True))


def downgrade() -> None:
    with op.batch_alter_table('player', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
        batch_op.drop_column('consent_legacy')
        batch_op.drop_column('consent_recorded_by')
        batch_op.drop_column('consent_on')
        batch_op.drop_column('guardian_name')
