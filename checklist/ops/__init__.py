"""Operations: the CLI, backup and restore, the catalogue check and the demo data."""
