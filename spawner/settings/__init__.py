"""The hub's settings: environment variables and .env, read and checked (``hub``,
``login``), and the typed readers they use (``environment``)."""
