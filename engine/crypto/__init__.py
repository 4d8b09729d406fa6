"""Case data at rest: a data key per case, wrapped by the key-encryption key (docs/privacy.md)."""
