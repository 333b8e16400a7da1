"""The Telegram adapter: handlers that read an update, call one service and reply with `_()`."""
