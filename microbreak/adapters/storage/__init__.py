"""What microbreak keeps on disk: the planner's state and the event history."""
