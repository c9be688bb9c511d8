"""closed months stored: the numerator and denominator of every indicator per township
(township_id 0 = county) for each closed month, written once and replaced only by an
audited recompute (issue 14)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 17:30:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: Union[str, None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # The primary key (month, code, township_id) is the unique key concurrent first reads
    # insert-or-ignore against; reads select by month (its leading column).
    op.create_table(
        'indicator_months',
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('township_id', sa.Integer(), nullable=False),
        sa.Column('numerator', sa.Integer(), nullable=False),
        sa.Column('denominator', sa.Integer(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('month', 'code', 'township_id', name=op.f('pk_indicator_months')),
    )


def downgrade() -> None:
    op.drop_table('indicator_months')
