"""Images: their tags and how to get each, which are here, the jupyterhub version inside,
and pulls shared by every spawn (and the pre-pull at hub start)."""
