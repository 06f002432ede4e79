"""CoreBank: an open-source retail core-banking platform."""

__version__ = "0.1.0"
