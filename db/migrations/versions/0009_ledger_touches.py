"""ledger touches: the months in which each person's file was checked, created or changed
(台账月度更新率 read from history, not from the latest dates), backfilled from the dates the
people table still holds

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 19:10:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: Union[str, None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'ledger_touches',
        sa.Column('person_id', sa.Integer(), nullable=False, autoincrement=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.PrimaryKeyConstraint('person_id', 'month', name=op.f('pk_ledger_touches')),
    )
    op.create_index('ix_ledger_touches_month', 'ledger_touches', ['month', 'person_id'])
    # What history there is: the last check, the creation and the last change of each file.
    if op.get_bind().dialect.name == "postgresql":
        month = "to_char({}, 'YYYY-MM')"
    else:
        month = "substr({}, 1, 7)"
    parts = " UNION ".join(
        f"SELECT id, {month.format(col)} FROM people WHERE {col} IS NOT NULL"
        for col in ("reviewed_on", "created_at", "updated_at"))
    op.execute(f"INSERT INTO ledger_touches (person_id, month) {parts}")


def downgrade() -> None:
    op.drop_index('ix_ledger_touches_month', table_name='ledger_touches')
    op.drop_table('ledger_touches')
