"""Desktop notifications: plyer's, the freedesktop API with buttons, the choice between them per
reminder, and the routing of a button's answer to the app's own entries."""
