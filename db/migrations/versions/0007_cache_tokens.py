"""cache tokens: one generation token per (area, township) (issue 14 item 4), so that a write
invalidates only the cached figures it can change (db/cache.py)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 19:20:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Rows appear on the first write of an (area, township) (an upsert): no seeding. A reader
    # selects by area (the leading column), for one township or all.
    op.create_table(
        'cache_tokens',
        sa.Column('area', sa.String(length=16), nullable=False),
        sa.Column('township_id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('area', 'township_id', name=op.f('pk_cache_tokens')),
    )


def downgrade() -> None:
    op.drop_table('cache_tokens')
