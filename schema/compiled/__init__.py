"""The compiled read path: covered root fields answered by one SQL statement rendering their
JSON (see schema.compiled.execution)."""
