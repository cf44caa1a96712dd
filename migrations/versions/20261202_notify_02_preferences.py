"""notify: per-account notification preferences; a professional-day session can be cancelled

Revision ID: notify_02_preferences
Revises: notify_01_outbox
Create Date: 2026-12-02 19:30:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import tournament.db


revision = 'notify_02_preferences'
down_revision = 'notify_01_outbox'
branch_labels = None
depends_on = '84d08ebed0eb'
"""The professional-day tables (prosession) come from the festival branch."""


def upgrade() -> None:
    op.create_table('notificationpreference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('mode', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('updated_at', tournament.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_notificationpreference_account_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notificationpreference')),
    sa.UniqueConstraint('account_id', 'kind', name='uq_notificationpreference_account_kind')
    )
    with op.batch_alter_table('notificationpreference', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notificationpreference_account_id'), ['account_id'], unique=False)
    with op.batch_alter_table('prosession', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', tournament.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False,
                                      server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('prosession', schema=None) as batch_op:
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('cancelled_at')
    with op.batch_alter_table('notificationpreference', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notificationpreference_account_id'))
    op.drop_table('notificationpreference')
