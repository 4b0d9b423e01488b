"""``kaggle-hub pull``'s progress bar."""

from spawner.admin import pull


def test_bar_shows_the_fraction_and_the_megabytes():
    assert pull.bar(75_000_000, 150_000_000, 0.5, width=10) == "[#####.....]  50% 75/150 MB"
