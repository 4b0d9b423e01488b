"""Logging in: the hub's authenticators, the config a login mode becomes, and OpenID
Connect discovery."""
