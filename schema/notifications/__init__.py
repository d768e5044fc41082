"""Notifications in GraphQL: an account's preferences of channel and quiet hours."""
