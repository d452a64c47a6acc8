"""Speech: espeak-ng synthesis, acoustic features and forced alignment (pure computation)."""
