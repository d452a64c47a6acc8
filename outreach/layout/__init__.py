"""Pure layout: boxes, fonts, lines and metrics. Draws nothing."""
