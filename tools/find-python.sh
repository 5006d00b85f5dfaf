#!/usr/bin/env bash
# Print the path of a Python >= 3.12 interpreter, or explain what to install and fail.
# Tries $PYTHON, the usual names on PATH, then pyenv's installed versions (the bare
# pyenv shims fail unless PYENV_VERSION names a version, so we call the real binaries).
set -u
ok() { "$1" -c 'import sys; raise SystemExit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
for n in python3.12 python3.13 python3 python; do
  p=$(command -v "$n" 2>/dev/null) && candidates+=("$p")
done
roots=()
command -v pyenv >/dev/null 2>&1 && roots+=("$(pyenv root 2>/dev/null)")
roots+=("${PYENV_ROOT:-$HOME/.pyenv}")
for r in "${roots[@]}"; do
  for p in $(ls -d "$r"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -V); do candidates+=("$p"); done
done
for c in /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do [ -x "$c" ] && candidates+=("$c"); done
for c in "${candidates[@]}"; do
  if ok "$c"; then echo "$c"; exit 0; fi
done
echo "error: regime-sim needs Python >= 3.12 (Mesa 3.5 requires it) and none was found." >&2
echo "       Install one (e.g. 'pyenv install 3.12', or 'apt-get install python3.12 python3.12-venv')," >&2
echo "       or point PYTHON=/path/to/python3.12 at it: make PYTHON=/path/to/python3.12 test" >&2
exit 1
