"""python -m bot.cli: the same as the `wegwijzer` command."""

from bot.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
