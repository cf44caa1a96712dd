"""players: pseudonym unique per library

Revision ID: da86bc6c2e73
Revises: c6dfb6322cc4
Create Date: 2026-11-27 09:44:41.487956
"""

from alembic import op


revision = 'da86bc6c2e73'
down_revision = 'c6dfb6322cc4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('player', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_player_library_id'), ['library_id', 'pseudonym'])


def downgrade() -> None:
    with op.batch_alter_table('player', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_player_library_id'), type_='unique')
