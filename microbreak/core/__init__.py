"""The pure core: exercise choice, schedule policy and the running/paused/snoozed state machine.

Nothing here imports a desktop library or reads a clock: every time is passed in as `now`, so the
whole policy can be driven by a fake clock through a simulated week in milliseconds.
"""
