"""The leathernest command line (click)."""
