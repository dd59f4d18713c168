"""phone accounts: e-mail optional, a unique verified phone, one-time codes, rate counters, phone outbox

Revision ID: 7a3c9e1f5b62
Revises: a4c7e1f3b902
Create Date: 2026-12-01 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a3c9e1f5b62'
# The integrator re-chains this after the other issue-13/14 host migrations.
down_revision = 'a4c7e1f3b902'
branch_labels = None
depends_on = None


def _without_sqlite_foreign_keys(change):
    # SQLite copies "user" to change it; every table points at it.
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("PRAGMA foreign_keys=OFF")
    change()
    if sqlite:
        op.execute("PRAGMA foreign_keys=ON")


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_phone_e164', sa.String(length=20), nullable=True))
    # Numbers typed before this revision were never verified: they wait for a code (and
    # stay usable as a WhatsApp contact) instead of becoming login identifiers.
    op.execute('UPDATE "user" SET pending_phone_e164 = phone_e164, phone_e164 = NULL')

    def change():
        with op.batch_alter_table('user', schema=None) as batch_op:
            batch_op.alter_column('email', existing_type=sa.String(length=254), nullable=True)
            batch_op.create_unique_constraint(batch_op.f('uq_user_phone_e164'), ['phone_e164'])
            batch_op.create_index(batch_op.f('ix_user_pending_phone_e164'), ['pending_phone_e164'], unique=False)

    _without_sqlite_foreign_keys(change)

    op.create_table('one_time_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('phone_e164', sa.String(length=20), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("purpose IN ('verify_phone', 'recovery')", name=op.f('ck_one_time_code_purpose_known')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_one_time_code_attempts_not_negative')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_one_time_code_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_one_time_code'))
    )
    with op.batch_alter_table('one_time_code', schema=None) as batch_op:
        batch_op.create_index('ix_one_time_code_phone_purpose', ['phone_e164', 'purpose'], unique=False)
        batch_op.create_index(batch_op.f('ix_one_time_code_user_id'), ['user_id'], unique=False)

    op.create_table('rate_counter',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_counter'))
    )
    with op.batch_alter_table('rate_counter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_counter_window_start'), ['window_start'], unique=False)

    op.create_table('outbox_phone_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('to', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('template', sa.String(length=60), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_phone_message'))
    )
    with op.batch_alter_table('outbox_phone_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_phone_message_due', ['sent_at', 'next_attempt_at'], unique=False)


def downgrade():
    op.drop_table('outbox_phone_message')
    op.drop_table('rate_counter')
    op.drop_table('one_time_code')

    def change():
        with op.batch_alter_table('user', schema=None) as batch_op:
            batch_op.drop_index(batch_op.f('ix_user_pending_phone_e164'))
            batch_op.drop_constraint(batch_op.f('uq_user_phone_e164'), type_='unique')
            batch_op.alter_column('email', existing_type=sa.String(length=254), nullable=False)

    _without_sqlite_foreign_keys(change)
    op.execute('UPDATE "user" SET phone_e164 = COALESCE(phone_e164, pending_phone_e164)')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('pending_phone_e164')
