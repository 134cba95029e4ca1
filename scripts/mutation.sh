#!/usr/bin/env bash
# Mutation testing of the core modules with mutmut: how many deliberate small bugs the unit tests catch.
#   scripts/mutation.sh [MODULE ...]     (default: every module below; MODULE is a path such as enrichment/score.py)
# Env: VENV (.venv), MUTATION_OUT (folder for the survivor report, mutation-out/), MUTATION_JOBS (mutants run at
# once; default half the cores, at least 1: the machine is usually shared).
#
# mutmut forks each mutant from a process that has already imported the code and the tests, and runs only
# the tests that reach the mutated function: about 2 mutants a second here, where cosmic-ray (a fresh pytest
# per mutant) managed 0.1 on the same module and machine. It wants the code under src/, imported by its
# installed names, so the script works in a scratch copy of this working tree (tracked and untracked files,
# not ignored ones) laid out as src/lurewatch/{enrichment,index,crawlers,...} from pyproject's package-dir
# mapping, with its own venv that reuses this one's packages: the working tree is never touched.
# Not part of every CI run (minutes per module): run it before merging a change to these modules. Tests marked
# elasticsearch are left out (the ES query compiler is pinned by its dict-level tests here).
# Ends with one line: RESULT min_kill_rate=.. <module>=.. ...  where a module's kill rate is
# (killed + timed out) / (killed + timed out + survived + reached by no test).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="$(cd "${VENV:-.venv}" && pwd)"
OUT="$(realpath -m "${MUTATION_OUT:-mutation-out}")"
JOBS="${MUTATION_JOBS:-$(( $(nproc) / 2 > 0 ? $(nproc) / 2 : 1 ))}"
log() { echo "mutation.sh: $*" >&2; }

# module → the tests that pin it, fast ones first (missing files are left out: the script runs on older trees)
declare -A TESTS=(
  [enrichment/phones.py]="tests/enrichment/test_phones.py tests/enrichment/test_extract_contacts.py tests/enrichment/test_extractor_properties.py"
  [enrichment/handles.py]="tests/enrichment/test_handles.py tests/enrichment/test_extract_contacts.py tests/enrichment/test_extractor_properties.py"
  [enrichment/wallets.py]="tests/enrichment/test_wallets.py tests/enrichment/test_extract_money.py tests/enrichment/test_extractor_properties.py"
  [enrichment/salary.py]="tests/enrichment/test_salary.py tests/enrichment/test_extract_money.py tests/enrichment/test_extractor_properties.py"
  [enrichment/contacts.py]="tests/enrichment/test_contacts.py tests/enrichment/test_extract_contacts.py tests/enrichment/test_extractor_properties.py"
  # dedup: the decision tests and test_dedup.py's quick ones (the demo-site and two-worker runs take 10-20 s
  # per mutant and pin nothing the others do not)
  [enrichment/dedup.py]="tests/enrichment/test_dedup_decision.py tests/enrichment/test_dedup.py::test_repost_with_new_phone_joins_cluster tests/enrichment/test_dedup.py::test_exact_copy_on_another_site_is_a_duplicate_even_when_short tests/enrichment/test_dedup.py::test_same_image_with_loosely_similar_text_joins tests/enrichment/test_dedup.py::test_unrelated_ads_with_same_logo_stay_apart tests/enrichment/test_dedup.py::test_dedup_works_across_runs_through_the_candidate_store tests/enrichment/test_dedup.py::test_earliest_first_seen_member_is_named_when_two_clusters_match tests/enrichment/test_dedup.py::test_compact_store_finds_the_same_clusters_after_merging_its_index tests/enrichment/test_dedup.py::test_labelled_reposts_cluster_and_template_siblings_stay_apart"
  [enrichment/score.py]="tests/enrichment/test_score.py"
  [index/query.py]="tests/index/test_query.py tests/index/test_query_validation.py tests/index/test_query_parse_exact.py tests/index/test_query_bounds.py tests/index/test_query_properties.py"
  [index/sqlite/query.py]="tests/index/test_query_sqlite_edges.py tests/index/test_query_compile_sqlite.py tests/index/test_query_sqlite.py tests/index/test_query_semantics.py"
  [index/elasticsearch/query.py]="tests/index/test_query_compile_es.py tests/index/test_query_compile_es_body.py tests/index/test_query_semantics.py"
  # evidence: the hand-built WARC tests (test_evidence_verify.py crawls a site and runs the CLI: with mutmut's
  # timeout of 15 times a test's own time, a looping mutant there costs a quarter of an hour)
  [lurewatch/evidence.py]="tests/core/test_evidence_units.py tests/core/test_records.py"
)
# mutmut stops a mutant after (the tests' measured time + 1 s) x multiplier x 2 seconds of CPU (default multiplier
# 15). score's tests first load the whole enrichment pipeline (20 s on a quiet machine, 264 s measured under
# load), and that time is charged to the first test: a mutant that loops forever (``_lowered``'s ``i += step``
# made ``i = step``) then ran for hours. With a multiplier of 2 such a mutant is stopped after a few minutes.
declare -A TIMEOUT_MULTIPLIER=([enrichment/score.py]=2)
ORDER=(enrichment/phones.py enrichment/handles.py enrichment/wallets.py enrichment/salary.py enrichment/contacts.py
  enrichment/dedup.py enrichment/score.py index/query.py index/sqlite/query.py index/elasticsearch/query.py
  lurewatch/evidence.py)
MODULES=("$@")
((${#MODULES[@]})) || MODULES=("${ORDER[@]}")
for module in "${MODULES[@]}"; do
  [[ -n ${TESTS[$module]+x} ]] || { echo "error: no tests known for $module; hint: one of ${ORDER[*]}" >&2; exit 2; }
done
"$VENV/bin/python" -c "import mutmut" 2>/dev/null || {
  echo "error: mutmut is not installed in $VENV; hint: $VENV/bin/pip install -e '.[test]'" >&2
  exit 2
}

WORK="$(mktemp -d /tmp/lurewatch-mutation.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
log "copying the working tree to $WORK"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' file; do
  [[ -e $file ]] && printf '%s\0' "$file"
done | tar --null -T - -cf - | tar -xf - -C "$WORK"
"$VENV/bin/python" -m venv --without-pip "$WORK/.venv"
# src/ layout from the package-dir mapping; the scratch venv sees this venv's packages (not its editable install).
"$VENV/bin/python" - "$WORK" <<'EOF'
import sys
import tomllib
from pathlib import Path

work = Path(sys.argv[1])
site = next((work / ".venv").glob("lib/python*/site-packages"))
# mutants/src first: a test that starts `python -m lurewatch` in a subprocess imports the mutated copy too.
paths = [str(work / "mutants" / "src"), *(p for p in sys.path if p.endswith("-packages"))]
site.joinpath("zz_deps.pth").write_text("\n".join(paths) + "\n")
mapping = tomllib.loads((work / "pyproject.toml").read_text())["tool"]["setuptools"].get("package-dir", {})
(work / "src").mkdir()
(work / "lurewatch").rename(work / "src" / "lurewatch")
for package, folder in mapping.items():
    (work / folder).rename(work.joinpath("src", *package.split(".")))
EOF
export PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 CI=true TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS= HYPOTHESIS_PROFILE=mutation
mkdir -p "$OUT"
: >"$OUT/survivors.txt"
cp "$WORK/pyproject.toml" "$WORK/pyproject.base.toml"

declare -A RATE=()
for module in "${MODULES[@]}"; do
  name="${module%.py}"
  name="${name//\//.}"
  tests=()
  for test in ${TESTS[$module]}; do [[ -e $WORK/$test ]] && tests+=("\"$test\""); done
  source_file="src/lurewatch/${module#lurewatch/}"
  if ((${#tests[@]} == 0)); then
    log "$module: none of its tests exist here: kill rate 0"
    RATE[$name]=0.000
    continue
  fi
  (
    cd "$WORK"
    rm -rf mutants
    { cat pyproject.base.toml; printf '\n[tool.mutmut]\nsource_paths = ["src"]\nonly_mutate = ["%s"]\n' "$source_file"
      printf 'pytest_add_cli_args_test_selection = [%s]\n' "$(IFS=,; echo "${tests[*]}")"
      printf 'pytest_add_cli_args = ["-p", "no:cacheprovider", "-W", "ignore::pytest.PytestConfigWarning", "-m", "not elasticsearch"]\n'
      printf 'also_copy = ["tests"]\n'
      printf 'timeout_multiplier = %s\n' "${TIMEOUT_MULTIPLIER[$module]:-15}"; } >pyproject.toml
    started=$SECONDS
    if ! .venv/bin/python -m mutmut run --max-children "$JOBS" >"$OUT/$name.log" 2>&1; then
      echo "error: mutmut failed on $module (see $OUT/$name.log)" >&2
      exit 1
    fi
    log "$module: $((SECONDS - started)) s"
    .venv/bin/python -m mutmut results --all true 2>/dev/null >"$OUT/$name.results"
    {
      { grep -E ': (survived|no tests)$' "$OUT/$name.results" || true; } | while read -r mutant _; do
        .venv/bin/python -m mutmut show "${mutant%:}" 2>/dev/null | grep -E '^(#|[-+] )' | grep -vE '^(\+\+\+|---)'
      done
    } >"$OUT/$name.survivors"
  )
  RATE[$name]=$("$VENV/bin/python" - "$OUT/$name.results" "$module" "$OUT/$name.survivors" "$OUT/survivors.txt" <<'EOF'
import sys
from collections import Counter

results, module, survivors, report = sys.argv[1:]
status = Counter(line.rsplit(": ", 1)[1].strip() for line in open(results, encoding="utf-8") if ": " in line)
caught = status["killed"] + status["timeout"]
missed = status["survived"] + status["no tests"]
with open(report, "a", encoding="utf-8") as out:
    out.write(f"## {module}: {caught}/{caught + missed} caught ({dict(status)})\n")
    out.write(open(survivors, encoding="utf-8").read())
print(f"{caught / (caught + missed):.3f}" if caught + missed else "0.000")
EOF
)
  log "$module: kill rate ${RATE[$name]}"
done

min=1
summary=""
for module in "${MODULES[@]}"; do
  name="${module%.py}"
  name="${name//\//.}"
  summary+=" $name=${RATE[$name]}"
  min=$("$VENV/bin/python" -c "print(min($min, ${RATE[$name]}))")
done
log "survivors with their diffs: $OUT/survivors.txt"
printf 'RESULT min_kill_rate=%.3f%s\n' "$min" "$summary"
