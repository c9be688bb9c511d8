"""presentation state on the server: one row per sign-in that is presenting, so 投屏模式
survives a reload, navigation and URL edits until it is ended (issue 13)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 17:10:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: Union[str, None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'presentations',
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('login_key', sa.String(length=64), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('username', 'login_key', name=op.f('pk_presentations')),
    )


def downgrade() -> None:
    op.drop_table('presentations')
