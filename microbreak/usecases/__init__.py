"""What a user asks of microbreak besides the daemon: stats, doctor, autostart, exercises."""
