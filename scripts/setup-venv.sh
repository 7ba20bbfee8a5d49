#!/usr/bin/env bash
# Creates .venv with Python 3.10 (Rasa 3.6 supports nothing newer) and installs the project.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
  python310=$(scripts/find-python310.sh)
  echo "Creating .venv with $python310"
  rm -rf .venv
  "$python310" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade "pip>=24" wheel
.venv/bin/python -m pip install --quiet -c constraints.txt -e ".[dev]"
