import os
from pathlib import Path

import pytest

pytest_plugins = ["steps.rule_steps"]

ROOT = Path(__file__).resolve().parents[1]
SHARED_IFC = Path(os.environ.get("COMPLIANCE_SHARED_IFC", ROOT.parent / "shared" / "ifc"))
SAMPLES = ROOT / "ifc_samples"
RULES = ROOT / "rules"


def pytest_configure(config):
    """Geometry results cached on disk (context.default_cache_dir) go to a folder of this test
    run, not to the user's cache; subprocesses (the CLI under test) inherit it."""
    import tempfile

    os.environ.setdefault("COMPLIANCE_CACHE", tempfile.mkdtemp(prefix="compliance-test-cache-"))


def shared_ifc_files() -> list[Path]:
    return sorted(SHARED_IFC.glob("*.ifc")) if SHARED_IFC.is_dir() else []


@pytest.fixture(scope="session")
def shared_ifc_dir() -> Path:
    """The public models of ../shared/ifc. Absent on a user's machine: say so loudly; in CI it
    must be there, so its absence fails."""
    if not shared_ifc_files():
        message = (f"the public IFC models folder {SHARED_IFC} is absent or empty; "
                   "set COMPLIANCE_SHARED_IFC to a folder of real IFC models to run these tests")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_IFC


@pytest.fixture(scope="session")
def postgres_cluster():
    """A throw-away PostgreSQL server for this test session (tests/postgres.py). Where it cannot
    start the tests that need it are skipped, saying why; under CI (`CI=true`) they fail."""
    from postgres import started_or_skipped

    cluster = started_or_skipped()
    yield cluster
    cluster.stop()


@pytest.fixture()
def postgres_url(postgres_cluster, request):
    """A fresh, empty database for this test alone: its SQLAlchemy URL (postgresql+psycopg://...)."""
    url = postgres_cluster.create_database(request.node.name)
    yield url
    postgres_cluster.drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """The registry of one test on each backend: a new SQLite file, then a new PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "registry.sqlite")
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def ruleset():
    from compliance.ruleset.loader import load_ruleset

    return load_ruleset(RULES)


def good_samples() -> list[Path]:
    """Sample submissions that can be checked (the error-* ones are broken on purpose)."""
    return sorted(p for p in SAMPLES.iterdir() if (p / "submission.yaml").is_file() and not p.name.startswith("error-"))


@pytest.fixture(scope="session")
def sample_verdicts() -> dict:
    """Every good sample checked once per test session: name -> Verdict."""
    from compliance.context import RunContext
    from compliance.pipeline import check_submission

    ctx = RunContext(rules_dir=RULES)
    return {p.name: check_submission(p, ctx) for p in good_samples()}
