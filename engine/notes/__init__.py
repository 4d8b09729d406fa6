"""Notes on a case: a line for colleagues, sealed like case data, shown in the case timeline."""
