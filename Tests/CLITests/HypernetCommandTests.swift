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
      (["hypernet", "inspect", text.path], "is not a safetensors file ("),
      (["hypernet", "draw", text.path, "--output", text.path], "is the input file"),
      (["hypernet", "build", "convexity", "--negative", "--output", directory.appendingPathComponent("n.safetensors").path], "convexity has none"),
      (["hypernet", "build", "pudding", "--sharpness", "1e-39", "--output", directory.appendingPathComponent("n.safetensors").path], "--sharpness must lie in"),
      (["hypernet", "draw", directory.appendingPathComponent("missing.safetensors").path, "--output", svg], "missing.safetensors does not exist"),
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

  @Test("train writes a checkpoint (the same bytes twice for one seed); generate writes networks for any n; sweep prints every β and plots them")
  func trainGenerateSweep() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let small = ["--inputs", "4", "--hidden", "8", "--steps", "60", "--width", "8", "--layers", "1", "--quiet"]
    for run in ["a", "b"] {
      let result = try SANNProcess.run(["hypernet", "train", "--output", directory.appendingPathComponent(run).path] + small)
      #expect(result.status == 0 && result.stdout.contains("trained 60 steps"), "\(result.stderr)")
    }
    let a = try Data(contentsOf: directory.appendingPathComponent("a/model.safetensors"))
    #expect(try Data(contentsOf: directory.appendingPathComponent("b/model.safetensors")) == a)
    for n in [2, 4, 9] {
      let file = directory.appendingPathComponent("net\(n).safetensors")
      let result = try SANNProcess.run(["hypernet", "generate", "--model", directory.appendingPathComponent("a").path, "--beta", "1e-4", "--inputs", "\(n)", "--output", file.path])
      #expect(result.status == 0, "\(result.stderr)")
      let network = try GeneratedNetwork.load(from: file)
      #expect(network.inputs == n && network.hidden == 8)
    }
    // The checkpoint is never the output; β outside the training range is a warning.
    let checkpoint = directory.appendingPathComponent("a/model.safetensors").path
    let clobber = try SANNProcess.run(["hypernet", "generate", "--model", directory.appendingPathComponent("a").path, "--beta", "0.1", "--output", checkpoint])
    let kept = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
    #expect(clobber.status != 0 && clobber.stderr.contains("is the input file") && kept == a, "\(clobber.stderr)")
    let outside = try SANNProcess.run(["hypernet", "generate", "--model", checkpoint, "--beta", "10", "--samples", "1000",
                                       "--output", directory.appendingPathComponent("outside.safetensors").path])
    #expect(outside.status == 0 && outside.stderr.contains("outside the training range"), "\(outside.stderr)")
    let plot = directory.appendingPathComponent("sweep.svg")
    let sweep = try SANNProcess.run(["hypernet", "sweep", "--model", directory.appendingPathComponent("a/model.safetensors").path, "--points", "5",
                                     "--samples", "2000", "--plot", plot.path, "--json"])
    #expect(sweep.status == 0, "\(sweep.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(sweep.stdout.utf8)) as? [String: Any])
    let points = try #require(object["points"] as? [[String: Any]])
    #expect(points.count == 5 && (points.first?["beta"] as? Double).map { Swift.abs($0 - 1e-8) < 1e-14 } == true)
    #expect(points.allSatisfy { ($0["relative_error"] as? Double ?? -1) >= 0 && ($0["kl"] as? Double ?? -1) >= 0 })
    let svg = try String(contentsOf: plot, encoding: .utf8)
    #expect(svg.hasPrefix("<svg") && svg.components(separatedBy: "<circle").count - 1 == 2 * 5 + 4)
  }

  @Test("β ≤ 0 or not finite, n < 1, a bad --beta-range or --code-size and a file that is not a checkpoint fail clearly, writing nothing")
  func trainGenerateBadInput() throws {
    let directory = try SANNProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let network = directory.appendingPathComponent("net.safetensors")
    let build = try SANNProcess.run(["hypernet", "build", "pudding", "--inputs", "4", "--output", network.path])
    #expect(build.status == 0)
    let out = directory.appendingPathComponent("out.safetensors").path
    for (arguments, message) in [
      (["hypernet", "generate", "--model", network.path, "--beta", "0.1", "--output", out], "is not a hypernetwork checkpoint"),
      (["hypernet", "generate", "--model", network.path, "--beta", "0", "--output", out], "--beta must be a positive finite number"),
      (["hypernet", "generate", "--model", network.path, "--beta", "-1", "--output", out], "--beta must be a positive finite number"),
      (["hypernet", "generate", "--model", network.path, "--beta", "nan", "--output", out], "--beta must be a positive finite number"),
      (["hypernet", "generate", "--model", network.path, "--beta", "0.1", "--inputs", "0", "--output", out], "--inputs must lie in"),
      (["hypernet", "sweep", "--model", directory.appendingPathComponent("missing").path], "does not exist"),
      (["hypernet", "train", "--output", network.path], "is a file; give a directory"),
      (["hypernet", "train", "--beta-range", "1,0.1", "--output", directory.appendingPathComponent("t").path], "--beta-range takes MIN,MAX"),
      (["hypernet", "train", "--inputs", "0", "--output", directory.appendingPathComponent("t").path], "inputs = 0"),
      (["hypernet", "train", "--steps", "0", "--output", directory.appendingPathComponent("t").path], "steps = 0"),
      (["hypernet", "train", "--code-size", "0", "--output", directory.appendingPathComponent("t").path], "code size = 0; accepted: 1...64"),
    ] {
      let result = try SANNProcess.run(arguments)
      #expect(result.status != 0 && result.stderr.contains(message), "\(arguments): \(result.stderr)")
    }
    #expect(!FileManager.default.fileExists(atPath: out) && !FileManager.default.fileExists(atPath: directory.appendingPathComponent("t").path))
  }
}
