"""Pieces every domain of the GraphQL schema shares."""
