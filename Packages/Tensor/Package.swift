// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "Tensor",
  products: [
    .library(name: "Tensor", targets: ["Tensor"])
  ],
  targets: [
    .systemLibrary(
      name: "COpenBLAS",
      path: "Sources/COpenBLAS",
      pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]
    ),
    // Element-wise kernels in C, so they vectorise (see include/TensorKernels.h).
    .target(
      name: "CTensorKernels"
    ),
    .target(
      name: "Tensor",
      dependencies: ["COpenBLAS", "CTensorKernels"]
    ),
  ]
)
