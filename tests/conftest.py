"""Shared pytest fixtures: temporary project roots and the optional reference data."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from helpers.core import paths  # noqa: E402


@pytest.fixture
def reference_dir() -> Path:
    """Return ``../shared/reference``; skip the test when it is absent."""
    ref = paths.reference_dir()
    if ref is None:
        pytest.skip("../shared/reference saknas (referensdata behövs för detta test)")
    return ref


@pytest.fixture
def tmp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the project root (``FOLKHALSA_ROOT``) at an empty temporary directory."""
    monkeypatch.setenv("FOLKHALSA_ROOT", str(tmp_path))
    (tmp_path / "data" / "raw").mkdir(parents=True)
    (tmp_path / "data" / "processed").mkdir(parents=True)
    return tmp_path


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project root with the mortality demo data (built once, shared by the test modules).

    ``FOLKHALSA_ROOT`` points at it for the duration of the test module.
    """
    from helpers.sources.demo import mortality as demo_mortality

    root = tmp_path_factory.getbasetemp() / "dodlighet_demo_root"
    (root / "data" / "raw").mkdir(parents=True, exist_ok=True)
    (root / "data" / "processed").mkdir(parents=True, exist_ok=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FOLKHALSA_ROOT", str(root))
        demo_mortality.write_mortality_demo()
        yield root


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse connections to anything but loopback during tests."""
    import socket

    real_connect = socket.socket.connect

    def guarded(self, address):  # type: ignore[no-untyped-def]
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")
        ):
            raise RuntimeError(f"Tests may not use the network (tried {address!r})")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    os.environ.setdefault("MPLBACKEND", "Agg")
