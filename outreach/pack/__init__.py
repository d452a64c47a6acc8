"""Orchestration: validate stories, render their outputs, write files and the manifest."""
