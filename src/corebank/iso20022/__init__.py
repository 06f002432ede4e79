"""ISO 20022 messages (filled in by the iso20022 work)."""
