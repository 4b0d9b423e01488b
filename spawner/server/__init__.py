"""One user's server: KaggleSpawner and the pure pieces it is built from (names, the
working tree, container arguments, profiles, datasets, volumes, readiness, progress)."""
