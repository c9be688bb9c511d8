"""audit hash chain: prev_hash/row_hash on audit_log, existing rows backfilled, the chain
anchor in app_settings, and inserts that bypass the chain or replace a row refused (issue 13)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 17:00:00
"""
import json
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from db.audit import ANCHOR_KEY, CHAINED, GENESIS, row_hash

revision: str = '0003'
down_revision: Union[str, None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_audit = sa.table(
    'audit_log',
    sa.column('id', sa.Integer),
    sa.column('ts', sa.DateTime(timezone=True)),
    *(sa.column(c, sa.JSON if c == 'changes' else sa.String) for c in CHAINED if c != 'ts'),
    sa.column('prev_hash', sa.String),
    sa.column('row_hash', sa.String),
)
_settings = sa.table('app_settings', sa.column('key', sa.String), sa.column('value', sa.Text))


def upgrade() -> None:
    pg = op.get_bind().dialect.name == 'postgresql'
    op.add_column('audit_log', sa.Column('prev_hash', sa.String(64), nullable=True))
    op.add_column('audit_log', sa.Column('row_hash', sa.String(64), nullable=True))

    # Backfill in id order, with the append-only trigger off for these UPDATEs only.
    if pg:
        op.execute('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change')
    else:
        op.execute('DROP TRIGGER IF EXISTS audit_log_no_update')
    bind = op.get_bind()
    prev, count, last_id = GENESIS, 0, None
    fill = (_audit.update().where(_audit.c.id == sa.bindparam('b_id'))
            .values(prev_hash=sa.bindparam('b_prev'), row_hash=sa.bindparam('b_hash')))
    while True:  # in batches by id: a county's log can hold millions of rows
        stmt = sa.select(_audit).order_by(_audit.c.id).limit(5000)
        if last_id is not None:
            stmt = stmt.where(_audit.c.id > last_id)
        rows = bind.execute(stmt).mappings().all()
        params = []
        for row in rows:
            h = row_hash(row, prev)
            params.append({'b_id': row['id'], 'b_prev': prev, 'b_hash': h})
            prev, count, last_id = h, count + 1, row['id']
        if params:
            bind.execute(fill, params)
        if len(rows) < 5000:
            break
    if pg:
        op.execute('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change')
        # Every row from now on is written through the chain (db/audit.py).
        op.execute(
            'ALTER TABLE audit_log ADD CONSTRAINT ck_audit_log_chained '
            'CHECK (prev_hash IS NOT NULL AND row_hash IS NOT NULL)'
        )
    else:
        op.execute(
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
        )
        # INSERT OR REPLACE deletes the old row without firing the DELETE trigger.
        op.execute(
            "CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log "
            "WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id) "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_log_chained BEFORE INSERT ON audit_log "
            "WHEN NEW.prev_hash IS NULL OR NEW.row_hash IS NULL "
            "BEGIN SELECT RAISE(ABORT, 'audit_log rows are written through the hash chain'); END"
        )
    op.execute(sa.delete(_settings).where(_settings.c.key == ANCHOR_KEY))
    op.bulk_insert(_settings, [{'key': ANCHOR_KEY, 'value': json.dumps({'count': count, 'head': prev})}])


def downgrade() -> None:
    op.execute(sa.delete(_settings).where(_settings.c.key == ANCHOR_KEY))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE audit_log DROP CONSTRAINT IF EXISTS ck_audit_log_chained')
    else:
        op.execute('DROP TRIGGER IF EXISTS audit_log_chained')
        op.execute('DROP TRIGGER IF EXISTS audit_log_no_replace')
    op.execute('ALTER TABLE audit_log DROP COLUMN row_hash')
    op.execute('ALTER TABLE audit_log DROP COLUMN prev_hash')
