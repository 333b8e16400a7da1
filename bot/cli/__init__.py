"""The `wegwijzer` command: one module per group of subcommands; main.py parses and dispatches."""
