"""What jupyterhub_config.py wires around the servers: the data directory and its secrets,
the user network, hub-managed services and the drop-in folder."""
