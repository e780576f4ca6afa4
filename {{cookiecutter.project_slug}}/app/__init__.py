"""The app: the API function (main), its routes, schemas and models, the migrate function and the database runtime."""
