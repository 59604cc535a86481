"""Load, fault and speed measurements of the app under gunicorn (README, "Load and benchmark")."""
