"""What happens to an account whatever the login: which names are valid, adding a batch of
users, and what a user's servers, files and secrets become when the user leaves or is
renamed. The hub mounts these handlers itself (``spawner.hub.routes``), so they hold under
any authenticator, ours or a site's own."""
