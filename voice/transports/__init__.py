"""Where the caller's audio comes from and the bot's goes to: one small interface, one file per kind of line."""
