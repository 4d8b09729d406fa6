"""Deployed definitions: BPMN, DMN and form files as content-hashed versions, and process versions."""
