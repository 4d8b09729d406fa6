"""Documents of a case: uploaded files, sealed with the case's key, stored on disk or in PostgreSQL."""
