#!/usr/bin/env bash
# samebytes.sh BIN OUT: writes, with the planprof and licenseplan binaries in
# folder BIN, every output a planner change must keep byte for byte (issue
# 10): plan.json of the demo snapshot and of 100k and 1M generated
# snapshots, sorted and shuffled, with and without --include-inactive; and
# every file format of the demo and a 100k run. Run it with the binaries of
# two commits and compare: diff -r OUT1 OUT2 (only *.stderr may differ).
#
#   go run ./internal/devtools/snapgen -users 100000 -out /tmp/snap100000
#   go run ./internal/devtools/snapgen -users 100000 -shuffle -out /tmp/snap100000s
#   (and 1000000), then:
#   go build -o /tmp/a/planprof ./internal/devtools/planprof && go build -o /tmp/a/licenseplan ./cmd/licenseplan
#   internal/devtools/samebytes.sh /tmp/a /tmp/a/out
set -euo pipefail
bin=$1 out=$2 demo=$(cd "$(dirname "$0")/../../demo/snapshot" && pwd)
mkdir -p "$out"
export SOURCE_DATE_EPOCH=1700000000
for d in /tmp/snap100000 /tmp/snap100000s /tmp/snap1000000 /tmp/snap1000000s "$demo"; do
  b=$(basename "$d")
  "$bin/planprof" -json "$out/$b.json" "$d" 2>"$out/$b.stderr"
  "$bin/planprof" -include-inactive -json "$out/$b-inactive.json" "$d" 2>"$out/$b-inactive.stderr"
done
cd /tmp
"$bin/licenseplan" plan --demo -d "$out/demo" --format json,csv,md,html,xlsx >"$out/demo.stdout" 2>"$out/demo.stderr"
"$bin/licenseplan" plan --input /tmp/snap100000s -d "$out/s100k" --format json,csv,md,html,xlsx >"$out/s100k.stdout" 2>"$out/s100k.stderr"
for d in snap1000000 snap1000000s; do
  "$bin/licenseplan" plan --input "/tmp/$d" --format text >"$out/$d.text" 2>"$out/$d.stderr"
  "$bin/licenseplan" plan --input "/tmp/$d" --include-inactive --format text >"$out/$d-inactive.text" 2>"$out/$d-inactive.stderr"
done
