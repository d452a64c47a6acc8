"""The story model: what a story file may say, validated; nothing about rendering."""

from outreach.model.story import Beat, Fact, Person, Story

__all__ = ["Beat", "Fact", "Person", "Story"]
