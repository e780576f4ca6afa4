"""The app: the API function (main) with its routes, schemas and models; the migrate function; the runtime."""
