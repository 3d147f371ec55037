// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "Theory",
  products: [
    .library(name: "Theory", targets: ["Theory"])
  ],
  targets: [
    // GMP (Debian: libgmp-dev, pkg-config `gmp`), with a shim for its function-like macros.
    .systemLibrary(name: "CGMP", path: "Sources/CGMP", pkgConfig: "gmp", providers: [.apt(["libgmp-dev"])]),
    // GLPK (Debian: libglpk-dev; it ships no pkg-config file).
    .systemLibrary(name: "CGLPK", path: "Sources/CGLPK", providers: [.apt(["libglpk-dev"])]),
    .target(name: "Theory", dependencies: ["CGMP", "CGLPK"]),
  ]
)
