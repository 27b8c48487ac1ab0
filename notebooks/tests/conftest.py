"""Fixtures of the notebook, report and export tests: the notebooks' own small fixture warehouse
(committed: fixture/warehouse, made by fixture/make_fixture.py), the demo warehouse the Java
end-to-end test leaves (the report and export tests check that run's output, so they share it), the
built jar, and a Jupyter kernel that is this virtualenv's Python."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from notebook_testlib import (
    BUILD_COMMAND,
    E2E_READY,
    E2E_WAREHOUSE,
    FIXTURE_WAREHOUSE,
    REPO,
    check_warehouse,
)

# After notebook_testlib, which puts notebooks/ on sys.path.
import lifecircle_nb  # isort: skip


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "e2e: needs the demo warehouse and the built jar (slow; deselect with "
        "-m 'not e2e')")


@pytest.fixture(scope="session")
def warehouse() -> Path:
    """The notebooks' warehouse: $LIFECIRCLE_NOTEBOOK_WAREHOUSE, else the committed fixture."""
    env = os.environ.get("LIFECIRCLE_NOTEBOOK_WAREHOUSE")
    if env:
        return check_warehouse(Path(env).resolve(), "$LIFECIRCLE_NOTEBOOK_WAREHOUSE")
    return check_warehouse(FIXTURE_WAREHOUSE, "the committed fixture (fixture/make_fixture.py)")


@pytest.fixture(scope="session")
def e2e_warehouse() -> Path:
    """The Java end-to-end test's demo warehouse when its READY marker is there (it runs earlier in
    `./mvnw verify`); else that test is run now to make it (slow: standalone runs only)."""
    if not E2E_READY.exists():
        print(f"\nno {E2E_READY.relative_to(REPO)}: running {' '.join(BUILD_COMMAND)} to make the "
              "demo warehouse (several minutes)", file=sys.stderr)
        proc = subprocess.run(BUILD_COMMAND, cwd=REPO, capture_output=True, text=True,
                              timeout=3600)
        assert proc.returncode == 0 and E2E_READY.exists(), (
            f"`{' '.join(BUILD_COMMAND)}` exited {proc.returncode} and "
            f"{'wrote' if E2E_READY.exists() else 'did not write'} {E2E_READY}: the notebook tests "
            "need the demo warehouse it leaves (or set LIFECIRCLE_NOTEBOOK_WAREHOUSE).\n"
            + (proc.stdout + proc.stderr)[-6000:])
    return check_warehouse(E2E_WAREHOUSE, f"left by NightlyEndToEndIT ({E2E_READY} present)")


@pytest.fixture(scope="session")
def jar() -> Path:
    try:
        return lifecircle_nb.jar_path()
    except FileNotFoundError as e:
        pytest.fail(str(e), pytrace=False)


@pytest.fixture(scope="session")
def jupyter_kernel(tmp_path_factory) -> str:
    """The kernel papermill starts: `python3` pointing at this interpreter (the project venv), put
    first on JUPYTER_PATH so no user- or system-wide python3 kernel can stand in for it."""
    kernels = tmp_path_factory.mktemp("jupyter")
    spec_dir = kernels / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (lifecircle .venv)",
        "language": "python",
    }))
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(kernels), old]))
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    assert spec.argv[0] == sys.executable, f"python3 kernel resolves to {spec.argv}"
    yield "python3"
    if old is None:
        os.environ.pop("JUPYTER_PATH", None)
    else:
        os.environ["JUPYTER_PATH"] = old
