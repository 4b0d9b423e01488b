# Every kernel in a Kaggle Team Hub server says, after a restart, if its predecessor was
# stopped for running out of memory (kaggle_team_hub_kernel.py).
c = get_config()  # noqa: F821 (provided by IPython)
c.InteractiveShellApp.extensions.append("kaggle_team_hub_kernel")
