from spawner import sizes


def test_human_size():
    assert [sizes.human_size(n) for n in (-1, 0, 1023, 2048, 5 * 1024**3)] == [
        "?",
        "0 B",
        "1023 B",
        "2.0 KB",
        "5.0 GB",
    ]


def test_parse_size():
    assert [sizes.parse_size(v) for v in ("512m", "16G", "2GiB", "100", 7, "1.5k")] == [
        512 * 1024**2,
        16 * 1024**3,
        2 * 1024**3,
        100,
        7,
        1536,
    ]
