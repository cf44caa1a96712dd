"""calendar identity: each slot's uid and sequence, removed slots kept as cancelled, cancelled events

Revision ID: outputs_01_calendar_identity
Revises: 84d08ebed0eb
Create Date: 2026-12-02 14:05:00
"""

import sqlalchemy as sa
from alembic import op

import tournament.db

revision = 'outputs_01_calendar_identity'
down_revision = '84d08ebed0eb'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('eventfiche', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', tournament.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=500), nullable=False, server_default=''))
    with op.batch_alter_table('ficheslot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uid', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('sequence', sa.Integer(), nullable=False, server_default='0'))
    # Existing slots keep the UID subscribers already have (it was built from the position).
    op.execute("UPDATE ficheslot SET uid = 'fiche-' || CAST(fiche_id AS VARCHAR) || '-slot-' || CAST(position AS VARCHAR)")
    with op.batch_alter_table('ficheslot', schema=None) as batch_op:
        batch_op.alter_column('uid', existing_type=sa.String(length=80), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_ficheslot_uid'), ['uid'])
    op.create_table(
        'removedslot',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fiche_id', sa.Integer(), nullable=False),
        sa.Column('uid', sa.String(length=80), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('starts_at', tournament.db.UTCDateTime(), nullable=False),
        sa.Column('ends_at', tournament.db.UTCDateTime(), nullable=False),
        sa.Column('removed_at', tournament.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['fiche_id'], ['eventfiche.id'], name=op.f('fk_removedslot_fiche_id_eventfiche')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_removedslot')),
        sa.UniqueConstraint('uid', name=op.f('uq_removedslot_uid')),
    )
    with op.batch_alter_table('removedslot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_removedslot_fiche_id'), ['fiche_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('removedslot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_removedslot_fiche_id'))
    op.drop_table('removedslot')
    with op.batch_alter_table('ficheslot', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_ficheslot_uid'), type_='unique')
        batch_op.drop_column('sequence')
        batch_op.drop_column('uid')
    with op.batch_alter_table('eventfiche', schema=None) as batch_op:
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('cancelled_at')
