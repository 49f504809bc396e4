#!/usr/bin/env bash
# Times the digit finding (JMH PreprocessingBenchmark) of an earlier commit against the working
# tree's, in alternated rounds, so that a change's cost is read against the same hour's machine
# (the figures in docs/preprocessing-cost.md were made this way).
#
#   scripts/bench/preprocessing-ab.sh BEFORE_COMMIT [ROUNDS] [BENCHMARK_REGEX] [UPLOADS]
#   scripts/bench/preprocessing-ab.sh 5bf39de 4 'PreprocessingBenchmark.locate$' photo-1mp,sheet-1mp,photo-12mp
#
# Only the core module (the preprocessing) differs between the two sides: the benchmark, the
# service and the tools are the working tree's. The earlier commit is checked out in a git
# worktree under target/ and removed at the end. Needs MNIST_DIR (or ../shared/mnist) and a built
# working tree (./mvnw -o install -DskipTests). Writes target/preprocessing-ab/
# {before,after}-N.json and .log, and prints each run's p50 in ms.
set -euo pipefail
cd "$(dirname "$0")/../.."
before=${1:?usage: $0 BEFORE_COMMIT [ROUNDS] [BENCHMARK_REGEX] [UPLOADS]}
rounds=${2:-4}
benchmark=${3:-'PreprocessingBenchmark.locate$'}
uploads=${4:-photo-1mp,sheet-1mp,photo-12mp}
export MNIST_DIR=${MNIST_DIR:-$PWD/../shared/mnist}
java=${JAVA:-$(ls -d /usr/lib/jvm/*25*/bin/java 2>/dev/null | head -1)}
java=${java:-java}
out=target/preprocessing-ab
tree=$PWD/target/preprocessing-ab-before
mkdir -p "$out"
git worktree remove --force "$tree" 2>/dev/null || true
git worktree add -f --detach "$tree" "$before" >/dev/null
trap 'git worktree remove --force "$tree" 2>/dev/null || true' EXIT
(cd "$tree" && "$OLDPWD/mvnw" -o -q -B compile -pl core -Dcheckstyle.skip)
# the benchmarks' list (a plain test run leaves it out)
./mvnw -o -q -B -Pbenchmark test-compile -pl service -Dcheckstyle.skip
(cd service && ../mvnw -o -q -B -Pbenchmark dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$PWD/../$out/classpath.txt")
deps=$(cat "$out/classpath.txt")
for round in $(seq 1 "$rounds"); do
  for side in before after; do
    core=core/target/classes
    [ "$side" = before ] && core=$tree/core/target/classes
    "$java" -cp "service/target/test-classes:service/target/classes:$core:core/target/test-classes:tools/target/classes:$deps" \
      org.openjdk.jmh.Main "$benchmark" -p upload="$uploads" -rf json -rff "$out/$side-$round.json" \
      > "$out/$side-$round.log" 2>&1
    echo "$side $round: $(grep -E ':p0.50' "$out/$side-$round.log" | awk '{print $1, $2, $4}' | sed 's/PreprocessingBenchmark.//; s/:p0.50//' | paste -sd ';')"
  done
done
