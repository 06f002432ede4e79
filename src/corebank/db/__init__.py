"""Storage: declarative base, column types, engine set-up and the unit of work."""
