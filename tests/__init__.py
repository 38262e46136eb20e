"""microbreak tests."""
