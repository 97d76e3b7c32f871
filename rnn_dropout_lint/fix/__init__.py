"""Findings -> fixed source: planning edits on the CST, applying them to files."""
