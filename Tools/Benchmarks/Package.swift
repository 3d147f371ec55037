// swift-tools-version: 6.1
// Benchmarks for SANNKit, kept out of the root package so `swift test` stays fast to build.
// Run with: swift run -c release --package-path Tools/Benchmarks tensor-bench
//           swift run -c release --package-path Tools/Benchmarks train-bench
//           swift run -c release --package-path Tools/Benchmarks theory-bench [--scan]
//           swift run -c release --package-path Tools/Benchmarks attribution-bench
//           swift run -c release --package-path Tools/Benchmarks model-bench
//           swift run -c release --package-path Tools/Benchmarks export-bench   (needs python3 with onnxruntime)
import PackageDescription

let package = Package(
  name: "SANNKitBenchmarks",
  dependencies: [
    .package(path: "../../Packages/Tensor"),
    .package(path: "../../Packages/Models"),
    .package(path: "../../Packages/Attribution"),
  ],
  targets: [
    // OpenBLAS called directly, to measure the Tensor wrapper's overhead against it.
    .systemLibrary(name: "COpenBLASDirect", path: "Sources/COpenBLASDirect", pkgConfig: "openblas"),
    // One core's peak FLOP/s on fused multiply-adds, to quote a training step's share of it.
    .target(name: "CPeakFlops", path: "Sources/CPeakFlops"),
    .executableTarget(
      name: "tensor-bench",
      dependencies: [.product(name: "Tensor", package: "Tensor"), .product(name: "Models", package: "Models"), "COpenBLASDirect", "CPeakFlops"],
      path: "Sources/TensorBenchmarks"
    ),
    // Process timing shared by the whole-command benchmarks.
    .target(name: "BenchmarkSupport", path: "Sources/BenchmarkSupport"),
    // Whole `sann train` runs as processes, against the reference's wall times.
    .executableTarget(name: "train-bench", dependencies: ["BenchmarkSupport"], path: "Sources/TrainBenchmarks"),
    // Whole `sann theory bound` runs: the full and symmetric programs with certificates.
    .executableTarget(name: "theory-bench", dependencies: ["BenchmarkSupport"], path: "Sources/TheoryBenchmarks"),
    // INN's own explanation against a forward pass and Kernel SHAP on the same INN.
    .executableTarget(
      name: "attribution-bench",
      dependencies: [
        .product(name: "Tensor", package: "Tensor"),
        .product(name: "Models", package: "Models"),
        .product(name: "Attribution", package: "Attribution"),
      ],
      path: "Sources/AttributionBenchmarks"
    ),
    // Scoring a large CSV with `sann predict` against the exported ONNX model in ONNX Runtime.
    .executableTarget(
      name: "export-bench",
      dependencies: ["BenchmarkSupport", .product(name: "Tensor", package: "Tensor"), .product(name: "Models", package: "Models")],
      path: "Sources/ExportBenchmarks"
    ),
    // Sum-of-Parts inference and training against its backbone; NAM's batched networks against a loop.
    .executableTarget(
      name: "model-bench",
      dependencies: [.product(name: "Tensor", package: "Tensor"), .product(name: "Models", package: "Models")],
      path: "Sources/ModelBenchmarks"
    ),
  ]
)
