"""The runtime: everything that makes SpiffWorkflow run a case inside this host.

The parser and its extensions (`bpmn_parser`), the script sandbox (`sandbox`, `script_helpers`), state-only
serialization (`serializer`), history compaction (`compaction`), and reading a workflow's open work
(`inspection`). Nothing here touches the database.
"""
