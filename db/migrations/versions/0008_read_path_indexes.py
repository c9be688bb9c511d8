"""read path (issue 14): the registry's per-village count in ledger order and its page; the
people indicators' grouped passes and the 工作台 served from covering indexes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 19:40:00
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0008'
down_revision: Union[str, None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # areas/registry/reads.page counts the county's 在册 people per village (an index-only,
    # already grouped scan instead of a sort of 190k entries) and reads the page from the few
    # villages it falls in (a seek per village; ix_people_scope leads with the township).
    op.create_index('ix_people_status_village', 'people', ['status', 'village_id'])
    # Every people indicator counts "in the registry on as_of" per township
    # (db.conditions.in_registry_on): an index-only pass instead of reading 200k table rows.
    op.create_index('ix_people_registry', 'people', ['township_id', 'enrolled_on', 'status', 'exited_on'])
    # The set of people with a current helper (帮扶责任人落实率, the registry's helper filter):
    # read whole from the index, no table row per assignment.
    op.create_index('ix_assignments_current', 'assignments', ['person_id', 'start_on', 'end_on', 'helper_id'])
    # Current categories, index-only both ways: by category (the set of children, db.conditions
    # child_on; the registry's category filter) and by person (工作台 people per category).
    op.create_index('ix_person_categories_cat_cover', 'person_categories',
                    ['category', 'person_id', 'start_on', 'end_on'])
    op.create_index('ix_person_categories_current', 'person_categories',
                    ['person_id', 'category', 'start_on', 'end_on'])
    # Statistics of the whole tables (a fraction of a second at 200k): without them SQLite takes
    # `status = ?` for a selective condition and walks ix_people_status_village for a filter
    # that another index (birth date, a set of ids) serves far better.
    op.execute('ANALYZE people')
    op.execute('ANALYZE assignments')
    op.execute('ANALYZE person_categories')


def downgrade() -> None:
    op.drop_index('ix_person_categories_current', table_name='person_categories')
    op.drop_index('ix_person_categories_cat_cover', table_name='person_categories')
    op.drop_index('ix_assignments_current', table_name='assignments')
    op.drop_index('ix_people_registry', table_name='people')
    op.drop_index('ix_people_status_village', table_name='people')
