"""Command groups of the `barometer` CLI, one module per group (registered in cli.py)."""
