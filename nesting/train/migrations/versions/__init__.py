"""The migration steps, oldest first (each names the revision it follows)."""
