"""Pieces every domain of db/ shares."""
