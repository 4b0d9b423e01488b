"""Kaggle's own APIs inside users' servers, answered by the hub.

On Kaggle, a notebook's ``kagglehub.competition_download(...)`` asks Kaggle to attach the
data (and waits for it under ``/kaggle/input/``), and ``kaggle_secrets`` asks Kaggle for the
user's secrets. Each server here gets the environment those libraries read on Kaggle,
pointing at the hub, whose handlers answer from the team's shared datasets and from the
user's own secrets (kept encrypted, managed on the hub's Secrets page and REST API).
"""
