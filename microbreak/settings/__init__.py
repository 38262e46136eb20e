"""The settings: the config files and variables read and checked, and the one record they make."""
