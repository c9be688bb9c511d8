"""care status kept: the visit rule's answer per active person (last visit, effective
difficulty, rule, next due date and the days it holds), backfilled from the rule (issue 14)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 17:20:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'care_status',
        sa.Column('person_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('township_id', sa.Integer(), nullable=False),
        sa.Column('last_visit', sa.Date(), nullable=True),
        sa.Column('raised_on', sa.Date(), nullable=True),
        sa.Column('effective', sa.String(length=8), nullable=False),
        sa.Column('rkey', sa.Integer(), nullable=False),
        sa.Column('next_due', sa.Date(), nullable=False),
        sa.Column('computed_on', sa.Date(), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=True),
        sa.Column('valid_until', sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint('person_id', name=op.f('pk_care_status')),
    )
    op.create_index('ix_care_status_due', 'care_status', ['township_id', 'next_due'])
    op.create_index('ix_care_status_from', 'care_status', ['valid_from'])
    op.create_index('ix_care_status_until', 'care_status', ['valid_until'])
    # The rows come from the rule itself (its one home, areas/care/reads.person_due).
    from areas.care.status import refresh

    refresh(op.get_bind())


def downgrade() -> None:
    op.drop_index('ix_care_status_until', table_name='care_status')
    op.drop_index('ix_care_status_from', table_name='care_status')
    op.drop_index('ix_care_status_due', table_name='care_status')
    op.drop_table('care_status')
