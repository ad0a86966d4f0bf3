import logsec


def test_version_matches_the_cargo_package() -> None:
    assert logsec.__version__ == "0.1.0"
