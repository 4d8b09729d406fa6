"""Retention: a closed case's data key is destroyed when its retention has passed (crypto-shredding)."""
