"""`outreach preview`: a local, live gallery of every story's cards with safe-zone overlays.

`renderer` draws cards at half scale through the production path and caches them by
content hash, `watch` turns file changes into refreshes, `server` serves pages and events.
"""
