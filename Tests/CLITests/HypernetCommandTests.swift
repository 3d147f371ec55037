import Foundation
import Models
import Testing

@Suite("sann hypernet")
struct HypernetCommandTests {
  @Test("build writes each algorithm; inspect names it and measures its error on ‖x‖₁; draw writes an SVG with a node per input and unit")
  func buildInspectDraw() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    for (algorithm, extra, label) in [("double-sided", [String](), "double-sided"), ("pudding", ["--negative"], "pudding (−)"), ("convexity", [], "convexity")] {
      let file = directory.appendingPathComponent("\(algorithm).safetensors").path
      let build = try SANNProcess.run(["hypernet", "build", algorithm, "--inputs", "12", "--output", file] + extra)
      #expect(build.status == 0, "\(algorithm): \(build.stderr)")
      let inspect = try SANNProcess.run(["hypernet", "inspect", file, "--samples", "20000", "--json"])
      #expect(inspect.status == 0, "\(algorithm): \(inspect.stderr)")
      let object = try #require(try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])
      #expect(object["label"] as? String == label && object["inputs"] as? Int == 12 && object["hidden"] as? Int == 48)
      let error = try #require(object["relative_error"] as? Double)
      #expect(algorithm == "convexity" ? error < 0.05 : error < 1e-4, "\(algorithm): \(error)")
      let svg = directory.appendingPathComponent("\(algorithm).svg")
      let draw = try SANNProcess.run(["hypernet", "draw", file, "--output", svg.path])
      #expect(draw.status == 0, "\(algorithm): \(draw.stderr)")
      let text = try String(contentsOf: svg, encoding: .utf8)
      #expect(text.hasPrefix("<svg") && text.hasSuffix("</svg>\n") && text.components(separatedBy: "<circle").count - 1 == 12 + 48 + 1)
      #expect(text.contains(label))
    }
  }

  @Test("a file that is not a generated network, a missing file, --samples 0 and a build that needs more units fail clearly, writing nothing")
  func badInput() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let text = directory.appendingPathComponent("notes.safetensors")
    try Data("hello".utf8).write(to: text)
    let svg = directory.appendingPathComponent("out.svg").path
    for (arguments, message) in [
      (["hypernet", "inspect", text.path], "is not a safetensors file"),
      (["hypernet", "draw", directory.appendingPathComponent("missing.safetensors").path, "--output", svg], "cannot be read"),
      (["hypernet", "inspect", text.path, "--samples", "0"], "--samples must lie in"),
      (["hypernet", "build", "double-sided", "--inputs", "30", "--output", directory.appendingPathComponent("n.safetensors").path], "raise --hidden"),
      (["hypernet", "build", "spiral", "--output", directory.appendingPathComponent("n.safetensors").path], "spiral"),
    ] {
      let result = try SANNProcess.run(arguments)
      #expect(result.status != 0 && result.stderr.contains(message), "\(arguments): \(result.stderr)")
    }
    #expect(!FileManager.default.fileExists(atPath: svg))
    #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("n.safetensors").path))
  }
}
