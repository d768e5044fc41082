"""The running service: app factory, settings, identity, limits, the `hdnd` CLI."""
