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
    // libxsmm's JIT kernels for the small products of a training step's backward pass, where
    // they beat OpenBLAS (README, Performance); a static library, so nothing to install at run time.
    .systemLibrary(
      name: "CXSMM",
      path: "Sources/CXSMM",
      pkgConfig: "libxsmm",
      providers: [.apt(["libxsmm-dev"])]
    ),
    // Element-wise kernels in C, so they vectorise (see include/TensorKernels.h).
    .target(
      name: "CTensorKernels"
    ),
    .target(
      name: "CSmallGEMM",
      dependencies: ["CXSMM"]
    ),
    .target(
      name: "Tensor",
      dependencies: ["COpenBLAS", "CTensorKernels", "CSmallGEMM"]
    ),
  ]
)
