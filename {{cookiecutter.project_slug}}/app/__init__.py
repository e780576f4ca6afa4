"""The app: its handlers, models, HTTP layer and database runtime."""
