import ArgumentParser
import Foundation
import Tensor
import Theory

/// The catalogue's index.json, whole (`sann theory catalogue`) or of one slice (`--shard k/n`).
enum CatalogueIndex {
  static let format = "sannkit.proofs-index/1"
  static let shardFormat = "sannkit.proofs-shard/1"
  /// In a shard's entries: the instance's position in the whole catalogue.
  static let positionKey = "position"
  /// In a shard's index: the options that chose the catalogue's instances, so that slices of
  /// different catalogues are not merged.
  static let catalogueKey = "catalogue"

  /// The whole catalogue's index.
  static func write(_ entries: [[String: Any]], to directory: URL) throws {
    let data = try JSONSerialization.data(withJSONObject: ["format": format, "certificates": entries], options: [.prettyPrinted, .sortedKeys])
    try AtomicFile.write(data, to: directory.appendingPathComponent("index.json"))
    warnUnlisted(entries, in: directory)
  }

  /// Certificates an earlier catalogue left in `directory` that the new index does not list
  /// stay (they may be the user's), but are named: `theory verify` rejects them beside it.
  static func warnUnlisted(_ entries: [[String: Any]], in directory: URL) {
    let listed = Set(entries.compactMap { $0["file"] as? String })
    let unlisted = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
      .filter { $0.hasSuffix(".json") && $0 != "index.json" && !listed.contains($0) }.sorted()
    guard !unlisted.isEmpty else { return }
    let shown = unlisted.prefix(5).joined(separator: ", ") + (unlisted.count > 5 ? ", …" : "")
    FileHandle.standardError.write(Data(("warning: \(directory.path) also holds \(unlisted.count) certificate file\(unlisted.count == 1 ? "" : "s") "
      + "the new index does not list (\(shown)), left from another catalogue? `sann theory verify` rejects them; remove them or write into an empty folder\n").utf8))
  }

  /// What the certificate at `url`, which verified with `optimum`, proves that its index entry
  /// does not say (its instance — polynomial, error, d — its optimum, or its file name), or nil
  /// when they agree. A certificate is only as good as the instance it is filed under.
  static func mismatch(_ url: URL, entry: [String: Any], optimum: Rational) -> String? {
    guard let data = FileManager.default.contents(atPath: url.path),
          let certificate = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      return "cannot be read as JSON"
    }
    func text(_ value: Any?) -> String { value.map { "\($0)" } ?? "nothing" }
    for (name, proved, listed) in [("polynomial", certificate["polynomial"], entry["polynomial"]), ("error", certificate["error"], entry["error"]),
                                   ("d", certificate["dimension"], entry["d"]), ("OPT", optimum.description, entry["optimum"]),
                                   ("file", url.lastPathComponent, entry["file"])] where text(proved) != text(listed) {
      return "proves \(name) \(text(proved)), but its index entry records \(text(listed))"
    }
    return nil
  }

  /// A slice's index: its entries (each with its position), which slice of how many, how many
  /// instances the whole catalogue has, and which catalogue it is (its options).
  static func writeShard(_ entries: [[String: Any]], part: Int, count: Int, total: Int, catalogue: String, to directory: URL) throws {
    let object: [String: Any] = ["format": shardFormat, "shard": "\(part)/\(count)", "instances": total, catalogueKey: catalogue,
                                 "certificates": entries]
    try AtomicFile.write(try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]),
                         to: directory.appendingPathComponent("index.json"))
    warnUnlisted(entries, in: directory)
  }
}

extension TheoryCommand {
  struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Join the slices `sann theory catalogue --shard k/n` wrote into one catalogue: every certificate verified again in exact arithmetic, one index.json.",
      discussion: """
        Give the n slice directories (any order). The slices must all be present, of the same catalogue, each once; every \
        certificate must verify and prove the optimum its slice's index records. Only then are the certificates copied to \
        --output and the index written, in the catalogue's order: the result is the directory one unsharded \
        `sann theory catalogue` writes. On any error nothing is written.
        """)

    @Argument(help: "The slice directories.")
    var shards: [String]

    @Option(help: "Directory for the merged catalogue.")
    var output: String

    func validate() throws {
      guard !shards.isEmpty else { throw ValidationError("give the slice directories `sann theory catalogue --shard k/n` wrote") }
      guard !output.isEmpty else { throw ValidationError("--output must name a directory") }
      let target = ModelInput.resolved(output)
      if let shard = shards.first(where: { ModelInput.resolved($0) == target }) {
        throw ValidationError("--output \(output) is the slice \(shard); merging into it would replace the slice's index. Give another directory")
      }
    }

    func run() throws {
      struct Entry {
        var position: Int
        var fields: [String: Any]
        var source: URL
      }
      var entries: [Entry] = []
      var slices: (count: Int, total: Int, catalogue: String)?
      var seen = Set<Int>()
      for shard in shards {
        let directory = URL(fileURLWithPath: shard)
        let indexURL = directory.appendingPathComponent("index.json")
        guard let data = FileManager.default.contents(atPath: indexURL.path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
          throw CommandError("\(indexURL.path) is missing or not JSON; pass directories written by `sann theory catalogue --shard k/n`")
        }
        guard object["format"] as? String == CatalogueIndex.shardFormat, let label = object["shard"] as? String,
              let (part, count) = try? Catalogue.parseShard(label), let total = object["instances"] as? Int,
              let certificates = object["certificates"] as? [[String: Any]] else {
          throw CommandError("\(indexURL.path) is not a slice's index (format \(CatalogueIndex.shardFormat)); write slices with `sann theory catalogue --shard k/n`")
        }
        guard let catalogue = object[CatalogueIndex.catalogueKey] as? String else {
          throw CommandError("\(indexURL.path) does not record which catalogue it is a slice of (written by an earlier sann); write the slices again")
        }
        if let slices, slices != (count, total, catalogue) {
          throw CommandError("\(shard) is slice \(label) of the catalogue '\(catalogue)' (\(total) instances), the others of '\(slices.catalogue)' "
            + "(\(slices.total) instances) in \(slices.count) slices: they are not slices of one catalogue")
        }
        slices = (count, total, catalogue)
        guard seen.insert(part).inserted else { throw CommandError("slice \(label) is given twice (\(shard))") }
        for fields in certificates {
          guard let position = fields[CatalogueIndex.positionKey] as? Int, (0..<total).contains(position),
                let file = fields["file"] as? String, !file.contains("/") else {
            throw CommandError("\(indexURL.path): an entry without a valid position or file name")
          }
          entries.append(Entry(position: position, fields: fields, source: directory.appendingPathComponent(file)))
        }
      }
      guard let slices else { throw CommandError("no slices given") }
      let missing = (1...slices.count).filter { !seen.contains($0) }
      guard missing.isEmpty else {
        throw CommandError("slice\(missing.count > 1 ? "s" : "") \(missing.map { "\($0)/\(slices.count)" }.joined(separator: ", ")) missing; give all \(slices.count)")
      }
      entries.sort { $0.position < $1.position }
      guard entries.map(\.position) == Array(0..<slices.total) else {
        throw CommandError("the slices do not cover the catalogue's \(slices.total) instances exactly once each; write them again with the same options")
      }
      // Every certificate again, before anything is written.
      var files: [(name: String, data: Data)] = []
      for entry in entries {
        let optimum: Rational
        do {
          optimum = try CertificateVerifier.verifyFile(at: entry.source).optimum
        } catch {
          throw CommandError("\(entry.source.path): REJECTED: \(error); write this slice again with `sann theory catalogue --shard`")
        }
        if let mismatch = CatalogueIndex.mismatch(entry.source, entry: entry.fields, optimum: optimum) {
          throw CommandError("\(entry.source.path) \(mismatch); write this slice again with `sann theory catalogue --shard`")
        }
        files.append((entry.source.lastPathComponent, try Data(contentsOf: entry.source)))
      }
      let directory = URL(fileURLWithPath: output)
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      for file in files { try AtomicFile.write(file.data, to: directory.appendingPathComponent(file.name)) }
      try CatalogueIndex.write(entries.map { entry in
        var fields = entry.fields
        fields.removeValue(forKey: CatalogueIndex.positionKey)
        return fields
      }, to: directory)
      print("\(slices.count) slices merged: \(entries.count) certificates verified and index.json written to \(directory.path)")
    }
  }
}
