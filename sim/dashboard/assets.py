"""Fill solara's asset cache from the npm registry, so the dashboard works with no internet.

A solara page loads its front end (Vuetify app, RequireJS, Font Awesome, the grid layout)
from a CDN through the server's own proxy, which serves files from a cache folder and fetches
the ones it lacks. Where the CDN cannot be reached the page stays blank; with the packages
unpacked into the cache the server never goes out. This is the set-up step that puts them
there: ``python -m sim.dashboard.assets``. It is idempotent: packages already in place are
not fetched again.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

# The front-end packages a SolaraViz page asks for (with ipywidgets 8 and Vuetify 2). Their
# versions are read from the installed solara, so a solara upgrade needs no edit here.
PACKAGES: tuple[str, ...] = (
    "@widgetti/solara-vuetify-app",
    "requirejs",
    "font-awesome",
    "@widgetti/vue-grid-layout",
)


class AssetsError(RuntimeError):
    """The cache cannot be filled; the message says what to do."""


def cache_dir() -> Path:
    """Solara's asset cache: ``$SOLARA_ASSETS_PROXY_CACHE_DIR`` or ``<prefix>/share/solara/cdn``."""
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def _solara_front_end_text() -> str:
    """The templates and widget sources where solara names its CDN packages with versions."""
    import solara
    from solara.server import settings

    root = Path(solara.__file__).parent
    files = [*(root / "server" / "templates").glob("*.j2"), *(root / "widgets" / "vue").glob("*.vue")]
    return "\n".join([settings.assets.fontawesome_path, *(f.read_text(encoding="utf-8") for f in files)])


def required_packages() -> list[str]:
    """``name@version`` of each front-end package, as the installed solara asks for it."""
    text = _solara_front_end_text()
    specs: list[str] = []
    for name in PACKAGES:
        versions = sorted(set(re.findall(rf"(?<![\w-]){re.escape(name)}@(\d[\w.+-]*)/", text)))
        if not versions:
            raise AssetsError(f"the installed solara no longer names '{name}' with a version; "
                              "read the versions it asks for in solara/server/templates and update "
                              "sim/dashboard/assets.py")
        specs.extend(f"{name}@{v}" for v in versions)
    return specs


def missing(cache: Path | None = None) -> list[str]:
    """The required packages that are not yet unpacked in the cache."""
    cache = cache or cache_dir()
    return [spec for spec in required_packages() if not (cache / spec / "package.json").is_file()]


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise AssetsError("npm is not installed, so the dashboard's front-end files cannot be fetched; "
                          "install Node.js and npm (Debian: apt-get install npm), then run "
                          "'python -m sim.dashboard.assets' once while online")
    return npm


def _npm_pack(npm: str, spec: str, workdir: Path) -> Path:
    proc = subprocess.run([npm, "pack", spec, "--json", "--pack-destination", str(workdir)],
                          cwd=workdir, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise AssetsError(f"npm pack {spec} failed ({tail}); is the npm registry reachable?")
    return workdir / json.loads(proc.stdout)[0]["filename"]


def _unpack(tarball: Path, dest: Path) -> None:
    """Unpack an npm tarball's ``package/`` folder as ``dest``, atomically."""
    staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=dest.parent))
    try:
        with tarfile.open(tarball) as tar:
            tar.extractall(staging, filter="data")
        # npm tarballs put everything under one top folder, 'package' by convention
        (top,) = [p for p in staging.iterdir() if p.is_dir()]
        if dest.exists():
            shutil.rmtree(dest)  # a partial folder from an interrupted run
        top.rename(dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def ensure_assets(cache: Path | None = None, log: Callable[[str], None] = print) -> list[str]:
    """Unpack every missing front-end package into the cache; return the ones fetched."""
    cache = cache or cache_dir()
    todo = missing(cache)
    if not todo:
        return []
    npm = _npm()
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="regime-sim-npm-") as tmp:
        for spec in todo:
            log(f"fetching {spec} into {cache}")
            dest = cache / spec
            dest.parent.mkdir(parents=True, exist_ok=True)  # scoped names: '@widgetti/...'
            _unpack(_npm_pack(npm, spec, Path(tmp)), dest)
    return todo


def main() -> int:
    """Command-line entry: fill the cache, or say in one line why it cannot be filled."""
    try:
        fetched = ensure_assets()
    except AssetsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    cache = cache_dir()
    print(f"dashboard assets: {len(fetched)} fetched, all {len(required_packages())} present in {cache}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
