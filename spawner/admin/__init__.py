"""The admin's ``kaggle-hub`` command: doctor, pull, volumes, backup and restore.

The hub's running code never imports this wing."""
