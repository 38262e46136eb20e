"""microbreak: a quiet break reminder with seated exercises for desk workers."""

__version__ = "0.1.0"
