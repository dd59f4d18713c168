"""outbox_email.claimed_until: a sender claims an e-mail before handing it to SMTP

Revision ID: e1a3c5b7d9f2
Revises: 8a4c6e2f0b17
Create Date: 2026-12-01 22:30:00.000000

Every app server and worker delivers the outbox after its requests; without a claim two of
them could both send the same e-mail (notifications/outbox.py).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1a3c5b7d9f2'
down_revision = '8a4c6e2f0b17'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_email') as batch_op:
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_email') as batch_op:
        batch_op.drop_column('claimed_until')
