"""Care work: visits (the visit rule's SQL), assessments, incident cards, guardianship. The
stored visit status's flush listener is installed by areas/__init__.py."""
