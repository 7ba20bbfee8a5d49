#!/usr/bin/env bash
# Prints the path of a working Python 3.10 interpreter, obtaining one with uv if the machine has none.
set -euo pipefail
for candidate in python3.10 "$HOME"/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    command -v "$candidate"
    exit 0
  fi
done
# No Python 3.10 here: let uv fetch a managed build (from PyPI-installed uv).
if ! command -v uv >/dev/null 2>&1; then
  python3 -m pip install --quiet --user uv >&2
  export PATH="$HOME/.local/bin:$PATH"
fi
uv python install 3.10 >&2
uv python find 3.10
