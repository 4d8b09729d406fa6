"""Users, roles, passwords, API tokens and the authorisation policy."""
