#!/usr/bin/env bash
# The Python package from a clean clone: a fresh venv, `pip install ./python`
# (maturin builds the extension in release), then its tests against the
# command line's release binary (built by the caller).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
venv="$(mktemp -d)/venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check maturin pandas pytest SALib
# The EMA Workbench is optional: its test is skipped if it does not install.
if ! timeout 180 "$venv/bin/pip" install --quiet --disable-pip-version-check ema-workbench; then
    echo "ci: ema-workbench did not install; the EMA test will be skipped"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check ./python
ENTENTE_BIN="$PWD/target/release/entente" "$venv/bin/python" -m pytest python/tests -q -p no:cacheprovider
echo "ci: the Python step took $((SECONDS - started)) s"
