// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "Models",
  products: [
    .library(name: "Models", targets: ["Models"])
  ],
  dependencies: [
    .package(path: "../Tensor")
  ],
  targets: [
    .target(
      name: "Models",
      dependencies: [.product(name: "Tensor", package: "Tensor")]
    )
  ]
)
