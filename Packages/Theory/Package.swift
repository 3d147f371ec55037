// swift-tools-version: 6.1
import PackageDescription

// Two products. `Theory` — exact rationals, the error programs, their solvers, certificates —
// depends on GMP and GLPK only, so it is usable without tensors. `TheoryChecks` puts trained
// models against it (Sum-of-Parts' groups against the feature-wise bound) and so depends on
// Models and Attribution as well.
let package = Package(
  name: "Theory",
  products: [
    .library(name: "Theory", targets: ["Theory"]),
    .library(name: "TheoryChecks", targets: ["TheoryChecks"]),
  ],
  dependencies: [
    .package(path: "../Tensor"),
    .package(path: "../Models"),
    .package(path: "../Attribution"),
  ],
  targets: [
    // GMP (Debian: libgmp-dev, pkg-config `gmp`), with a shim for its function-like macros.
    .systemLibrary(name: "CGMP", path: "Sources/CGMP", pkgConfig: "gmp", providers: [.apt(["libgmp-dev"])]),
    // GLPK (Debian: libglpk-dev; it ships no pkg-config file).
    .systemLibrary(name: "CGLPK", path: "Sources/CGLPK", providers: [.apt(["libglpk-dev"])]),
    .target(name: "Theory", dependencies: ["CGMP", "CGLPK"]),
    .target(
      name: "TheoryChecks",
      dependencies: [
        "Theory",
        .product(name: "Tensor", package: "Tensor"),
        .product(name: "Models", package: "Models"),
        .product(name: "Attribution", package: "Attribution"),
      ]
    ),
  ]
)
