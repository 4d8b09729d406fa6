"""Cases (process instances): start, advance, persist, audit."""
