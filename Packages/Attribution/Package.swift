// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "Attribution",
  products: [
    .library(name: "Attribution", targets: ["Attribution"])
  ],
  dependencies: [
    .package(path: "../Tensor"),
    .package(path: "../Models"),
  ],
  targets: [
    .target(
      name: "Attribution",
      dependencies: [
        .product(name: "Tensor", package: "Tensor"),
        .product(name: "Models", package: "Models"),
      ]
    )
  ]
)
