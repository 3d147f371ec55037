// swift-tools-version: 6.1
// SANNKit: self-explaining neural networks for tabular data.
//
// This root package builds the `sann` command-line tool and holds every test suite, so one
// `swift test` here runs them all. The libraries live in standalone packages under Packages/,
// each usable on its own; dependencies point one way:
//
//   Tensor ← Models ← Attribution       (OpenBLAS)
//   Theory                              (GMP and GLPK only: exact bounds without tensors)
//   TheoryChecks ← Theory, Models, Attribution   (trained models against the bounds)
//
// `sann` uses all four. Tests/TestSupport holds the helpers every test suite shares.
import PackageDescription

let package = Package(
  name: "SANNKit",
  products: [
    .executable(name: "sann", targets: ["sann"])
  ],
  dependencies: [
    .package(path: "Packages/Tensor"),
    .package(path: "Packages/Models"),
    .package(path: "Packages/Attribution"),
    .package(path: "Packages/Theory"),
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
  ],
  targets: [
    .target(
      name: "SANNCLI",
      dependencies: [
        .product(name: "Tensor", package: "Tensor"),
        .product(name: "Models", package: "Models"),
        .product(name: "ModelsONNX", package: "Models"),
        .product(name: "Attribution", package: "Attribution"),
        .product(name: "Theory", package: "Theory"),
        .product(name: "TheoryChecks", package: "Theory"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Tools/sann/Sources/SANNCLI"
    ),
    .executableTarget(
      name: "sann",
      dependencies: ["SANNCLI", .product(name: "Tensor", package: "Tensor")],
      path: "Tools/sann/Sources/sann"
    ),
    // Helpers every test suite shares: the finite-difference gradient checker, temporary
    // directories, closeness measures, small seeded models and data.
    .target(
      name: "TestSupport",
      dependencies: [
        .product(name: "Tensor", package: "Tensor"),
        .product(name: "Models", package: "Models"),
        .product(name: "PropertyBased", package: "swift-property-based"),
      ],
      path: "Tests/TestSupport"
    ),
    .testTarget(
      name: "TensorTests",
      dependencies: [
        "TestSupport",
        .product(name: "Tensor", package: "Tensor"),
        .product(name: "PropertyBased", package: "swift-property-based"),
      ],
      resources: [.copy("Fixtures")]
    ),
    .testTarget(
      name: "ModelsTests",
      dependencies: [
        "TestSupport",
        .product(name: "Models", package: "Models"),
        .product(name: "Tensor", package: "Tensor"),
        .product(name: "PropertyBased", package: "swift-property-based"),
      ],
      resources: [.copy("Fixtures")]
    ),
    .testTarget(
      name: "AttributionTests",
      dependencies: [
        "TestSupport",
        .product(name: "Theory", package: "Theory"),
        .product(name: "Attribution", package: "Attribution"),
        .product(name: "Models", package: "Models"),
        .product(name: "Tensor", package: "Tensor"),
        .product(name: "PropertyBased", package: "swift-property-based"),
      ]
    ),
    .testTarget(
      name: "TheoryTests",
      dependencies: [
        .product(name: "Theory", package: "Theory"),
        .product(name: "PropertyBased", package: "swift-property-based"),
      ]
    ),
    .testTarget(
      name: "TheoryChecksTests",
      dependencies: [
        "TestSupport",
        .product(name: "TheoryChecks", package: "Theory"),
        .product(name: "Theory", package: "Theory"),
        .product(name: "Models", package: "Models"),
        .product(name: "Attribution", package: "Attribution"),
        .product(name: "Tensor", package: "Tensor"),
        .product(name: "PropertyBased", package: "swift-property-based"),
      ]
    ),
    .testTarget(
      name: "ProofsTests",
      dependencies: [
        .product(name: "Theory", package: "Theory"),
        .product(name: "TheoryChecks", package: "Theory"),
        .product(name: "Models", package: "Models"),
      ]
    ),
    .testTarget(
      name: "CLITests",
      dependencies: [
        "SANNCLI", "sann", "TestSupport", .product(name: "Models", package: "Models"),
        .product(name: "ModelsONNX", package: "Models"),
        .product(name: "Theory", package: "Theory"), .product(name: "TheoryChecks", package: "Theory"),
      ]
    ),
  ]
)
