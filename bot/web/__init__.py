"""The web app for coaches and staff: the second adapter on the same services as Telegram."""
