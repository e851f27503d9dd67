"""telegram relay, update log, staff preferences

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 00:44:24.360529
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_preference',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('sign_replies', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_staff_preference'))
    )
    op.create_table('telegram_update',
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('update_id', name=op.f('pk_telegram_update'))
    )
    with op.batch_alter_table('handoff_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topic_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('worker_blocked', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('raised_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_handoff_case_topic_id'), ['topic_id'], unique=False)

    with op.batch_alter_table('handoff_case_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_chat_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('source_message_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('signed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('relayed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('relay_attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('relay_error', sa.String(length=200), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('handoff_case_message', schema=None) as batch_op:
        batch_op.drop_column('relay_error')
        batch_op.drop_column('relay_attempts')
        batch_op.drop_column('relayed_at')
        batch_op.drop_column('signed_by')
        batch_op.drop_column('source_message_id')
        batch_op.drop_column('source_chat_id')

    with op.batch_alter_table('handoff_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handoff_case_topic_id'))
        batch_op.drop_column('raised_at')
        batch_op.drop_column('worker_blocked')
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('topic_id')

    op.drop_table('telegram_update')
    op.drop_table('staff_preference')
