"""Presentation over HTTP: the app factory, REST routes, errors as problem+json, health and metrics."""
