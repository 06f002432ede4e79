"""The CNAPS clearing house simulator (filled in by the clearing work)."""
