"""Adapters around the pure core: clock, timer, notifier, tray. Desktop libraries live here."""
