"""outreach: turn short story files into social-media content for youth outreach."""

__version__ = "0.1.0"

#: Bumped whenever a change alters rendered bytes; part of every cache key.
RENDERER_VERSION = "3"
