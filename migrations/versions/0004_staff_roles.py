"""staff roles: nurses and operators sign in to the same console

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 00:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('nurses') as batch:
        batch.add_column(sa.Column('role', sa.String(length=16), nullable=False, server_default='nurse'))


def downgrade() -> None:
    with op.batch_alter_table('nurses') as batch:
        batch.drop_column('role')
