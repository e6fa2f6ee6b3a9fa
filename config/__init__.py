"""Bottom layer: settings and logging, imported by every other package."""
