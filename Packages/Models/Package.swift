// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "Models",
  products: [
    .library(name: "Models", targets: ["Models"]),
    // ONNX files (protocol buffers); a separate product so that Models itself stays free of
    // swift-protobuf.
    .library(name: "ModelsONNX", targets: ["ModelsONNX"]),
  ],
  dependencies: [
    .package(path: "../Tensor"),
    .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
  ],
  targets: [
    .target(
      name: "Models",
      dependencies: [.product(name: "Tensor", package: "Tensor")]
    ),
    .target(
      name: "ModelsONNX",
      dependencies: ["Models", .product(name: "SwiftProtobuf", package: "swift-protobuf")]
    ),
  ]
)
