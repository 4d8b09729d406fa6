"""What a caller does with a case: start it, find it, read its variables and history, retry it after an
incident -- each with the caller's rights (engine/access). Above the case layer (engine/instances), which
loads, advances and saves a case and knows no caller's rights."""
