"""performance: covering index for the visit-frequency rule, 高-risk assessments index,
data-generation row for cross-process cache invalidation (issue 9)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 13:10:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: Union[str, None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # The rule's last visit / visits in a window per person: an index-only backward seek
    # (deleted_at rides in the index, no table row is read).
    op.create_index('ix_visits_person_live', 'visits', ['person_id', 'visited_on', 'deleted_at'])
    # The high-risk raise: the 高 assessments only, read once per computation.
    op.create_index('ix_assessments_risk_person', 'assessments', ['risk_level', 'person_id', 'assessed_on'])
    # Cross-process cache invalidation (db/cache.py): a token every audited write replaces.
    app_settings = sa.table('app_settings', sa.column('key', sa.String), sa.column('value', sa.Text))
    op.execute(sa.delete(app_settings).where(app_settings.c.key == 'data_generation'))
    op.bulk_insert(app_settings, [{'key': 'data_generation', 'value': '0'}])


def downgrade() -> None:
    app_settings = sa.table('app_settings', sa.column('key', sa.String), sa.column('value', sa.Text))
    op.execute(sa.delete(app_settings).where(app_settings.c.key == 'data_generation'))
    op.drop_index('ix_assessments_risk_person', table_name='assessments')
    op.drop_index('ix_visits_person_live', table_name='visits')
