"""knowledge base, conversations and cases

Revision ID: 0001
Revises: 
Create Date: 2026-11-27 00:17:57.026373
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('conversation',
    sa.Column('worker_id', sa.String(length=64), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('recent', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('worker_id', name=op.f('pk_conversation'))
    )
    op.create_table('handoff_case',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('worker_id', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=True),
    sa.Column('home', sa.String(length=8), nullable=True),
    sa.Column('host', sa.String(length=8), nullable=True),
    sa.Column('intents', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handoff_case'))
    )
    with op.batch_alter_table('handoff_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handoff_case_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_handoff_case_worker_id'), ['worker_id'], unique=False)

    op.create_table('kb_country',
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_kb_country'))
    )
    op.create_table('kb_version',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('loaded_at', sa.DateTime(), nullable=False),
    sa.Column('facts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_version'))
    )
    op.create_table('handoff_case_message',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('sender', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['handoff_case.id'], name=op.f('fk_handoff_case_message_case_id_handoff_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handoff_case_message'))
    )
    with op.batch_alter_table('handoff_case_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handoff_case_message_case_id'), ['case_id'], unique=False)

    op.create_table('kb_fact',
    sa.Column('id', sa.String(length=120), nullable=False),
    sa.Column('country', sa.String(length=8), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('topic', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('schemes', sa.JSON(), nullable=False),
    sa.Column('with_countries', sa.JSON(), nullable=False),
    sa.Column('sectors', sa.JSON(), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('steps', sa.JSON(), nullable=True),
    sa.Column('review_by', sa.Date(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['country'], ['kb_country.code'], name=op.f('fk_kb_fact_country_kb_country')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_fact'))
    )
    with op.batch_alter_table('kb_fact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_fact_country'), ['country'], unique=False)
        batch_op.create_index(batch_op.f('ix_kb_fact_topic'), ['topic'], unique=False)

    op.create_table('kb_scheme',
    sa.Column('id', sa.String(length=16), nullable=False),
    sa.Column('country', sa.String(length=8), nullable=False),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['country'], ['kb_country.code'], name=op.f('fk_kb_scheme_country_kb_country')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_scheme'))
    )
    op.create_table('kb_fact_source',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('fact_id', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('date', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['fact_id'], ['kb_fact.id'], name=op.f('fk_kb_fact_source_fact_id_kb_fact'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_fact_source'))
    )
    with op.batch_alter_table('kb_fact_source', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_fact_source_fact_id'), ['fact_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('kb_fact_source', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_fact_source_fact_id'))

    op.drop_table('kb_fact_source')
    op.drop_table('kb_scheme')
    with op.batch_alter_table('kb_fact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_fact_topic'))
        batch_op.drop_index(batch_op.f('ix_kb_fact_country'))

    op.drop_table('kb_fact')
    with op.batch_alter_table('handoff_case_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handoff_case_message_case_id'))

    op.drop_table('handoff_case_message')
    op.drop_table('kb_version')
    op.drop_table('kb_country')
    with op.batch_alter_table('handoff_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handoff_case_worker_id'))
        batch_op.drop_index(batch_op.f('ix_handoff_case_state'))

    op.drop_table('handoff_case')
    op.drop_table('conversation')
