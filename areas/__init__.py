"""Subject areas (docs/ARCHITECTURE.md). Importing any of them installs, once per process, the
session hooks that keep the stored derived tables in step with every ORM write — before any
session of code that reads or writes an area can flush:
- care_status, the visit rule's answer per person (areas/care/status.py);
- ledger_touches, the months each file was checked or changed (areas/registry/ledger.py)."""
from areas.care import status as _care_status
from areas.registry import ledger as _ledger

_care_status.install()
_ledger.install()
