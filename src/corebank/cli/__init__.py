"""The `corebank` command line."""
