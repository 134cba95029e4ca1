#!/usr/bin/env bash
# mypy (strict, configured in pyproject.toml) over the package as it is installed: lurewatch with crawlers/,
# enrichment/ and index/ as lurewatch.crawlers, .enrichment, .index; and over the DAG files in dags/. mypy cannot follow setuptools' editable
# import hook, so it reads a tree of links laid out as the installed package; paths are reported as in the repo.
#   scripts/mypy.sh [mypy args]        (VENV: .venv)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
root="$PWD"
tree="$(mktemp -d)"
trap 'rm -rf "$tree"' EXIT
mkdir "$tree/lurewatch"
for entry in lurewatch/*; do
  ln -s "$root/$entry" "$tree/$entry"
done
for step in crawlers enrichment index; do
  ln -s "$root/$step" "$tree/lurewatch/$step"
done
status=0
(cd "$tree" && "$root/$VENV/bin/python" -m mypy --config-file "$root/pyproject.toml" --cache-dir "$root/.mypy_cache" \
  lurewatch "$root"/dags/*.py "$@") >"$tree/out" 2>&1 || status=$?
sed -e 's#^lurewatch/\(crawlers\|enrichment\|index\)/#\1/#' -e "s#^$root/##" "$tree/out"
exit "$status"
