"""Care work. Importing the package keeps the stored visit status (areas/care/status.py) in step
with every ORM write: its flush listener is installed here, once per process, before any
session of code that reads or writes care data can flush."""
from areas.care import status as _status

_status.install()
