// swift-tools-version: 6.1
// Benchmarks for SANNKit, kept out of the root package so `swift test` stays fast to build.
// Run with: swift run -c release --package-path Tools/Benchmarks tensor-bench
//           swift run -c release --package-path Tools/Benchmarks train-bench
import PackageDescription

let package = Package(
  name: "SANNKitBenchmarks",
  dependencies: [
    .package(path: "../../Packages/Tensor")
  ],
  targets: [
    // OpenBLAS called directly, to measure the Tensor wrapper's overhead against it.
    .systemLibrary(name: "COpenBLASDirect", path: "Sources/COpenBLASDirect", pkgConfig: "openblas"),
    .executableTarget(
      name: "tensor-bench",
      dependencies: [.product(name: "Tensor", package: "Tensor"), "COpenBLASDirect"],
      path: "Sources/TensorBenchmarks"
    ),
    // Whole `sann train` runs as processes, against the reference's wall times.
    .executableTarget(name: "train-bench", path: "Sources/TrainBenchmarks"),
  ]
)
