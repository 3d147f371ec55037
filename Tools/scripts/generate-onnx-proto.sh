#!/usr/bin/env bash
# Regenerates Packages/Models/Sources/ModelsONNX/Generated/onnx.pb.swift, the Swift message code
# for ONNX's protocol buffers. It is generated once and committed, so building SANNKit needs no
# protoc; run this only to move to a newer ONNX schema.
#
# The committed file came from:
#   - onnx.proto of the `onnx` 1.23.2 wheel (pip install onnx==1.23.2; the file is
#     site-packages/onnx/onnx.proto; ONNX is Apache-2.0, as its SPDX line in the file says);
#   - protoc 3.21.12 (Debian 12's protobuf-compiler);
#   - protoc-gen-swift of apple/swift-protobuf 1.39.0 (Apache-2.0), the version Packages/Models
#     depends on: generated code and runtime library must match.
#
# Usage: Tools/scripts/generate-onnx-proto.sh [SWIFT_PROTOBUF_CHECKOUT]
#   SWIFT_PROTOBUF_CHECKOUT: a clone of swift-protobuf at tag 1.39.0 (default: cloned to a
#   temporary directory from https://github.com/apple/swift-protobuf).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
command -v protoc > /dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 1; }
python3 -c "import onnx" 2> /dev/null || { echo "the onnx wheel is not installed: pip install onnx==1.23.2" >&2; exit 1; }
checkout="${1:-}"
if [ -z "$checkout" ]; then
  checkout="$work/swift-protobuf"
  git clone --quiet --depth 1 --branch 1.39.0 https://github.com/apple/swift-protobuf "$checkout"
fi
(cd "$checkout" && swift build -c release --product protoc-gen-swift > /dev/null)
plugin="$checkout/.build/release/protoc-gen-swift"
cp "$(python3 -c 'import onnx, os; print(os.path.dirname(onnx.__file__))')/onnx.proto" "$work/"
(cd "$work" && protoc --plugin=protoc-gen-swift="$plugin" --swift_out=. --swift_opt=Visibility=Public onnx.proto)
cp "$work/onnx.pb.swift" "$root/Packages/Models/Sources/ModelsONNX/Generated/onnx.pb.swift"
echo "wrote Packages/Models/Sources/ModelsONNX/Generated/onnx.pb.swift (onnx $(python3 -c 'import onnx; print(onnx.__version__)'), $(protoc --version))"
