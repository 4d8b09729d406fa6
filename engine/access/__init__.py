"""Who may see and do what: the rules on roles, the query clauses that select the cases and tasks a caller may
see, and the variables they may read. Above the case and task rows it reads (docs/architecture.md, Layers)."""
