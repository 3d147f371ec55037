import Foundation

/// Finds an OpenML dataset by id on disk, the way `--dataset_id N` resolves it.
///
/// Directories are searched in order: the explicit data directory (`--data-dir`), else
/// `$SANN_DATA_DIR`, else `~/.cache/sann/openml`; then the datasets bundled with SANNKit. In
/// each, `N.arff`, then `N.csv`, then a `manifest.json` listing `{"openml_id": N, "file": …,
/// "target": …, "name": …}` entries (the format of OpenML benchmark exports). Nothing is
/// downloaded: this machine has no network, and the search path says where to put files.
public struct DatasetLocator: Sendable {
  /// A dataset file and what the directory said about it.
  public struct Location: Sendable, Equatable {
    public var url: URL
    public var name: String
    public var target: String?
    public var task: String?
  }

  public var directories: [URL]
  /// A directory the user named (`--data-dir`, `$SANN_DATA_DIR`): it must exist, so a typo is
  /// an error rather than a silent fall back to the bundled copy of the same id.
  public var explicitDirectory: URL?

  public init(directories: [URL], explicitDirectory: URL? = nil) {
    self.directories = directories
    self.explicitDirectory = explicitDirectory
  }

  /// The standard search path: `dataDirectory` or `$SANN_DATA_DIR` or the cache, then the
  /// bundled datasets.
  public static func standard(dataDirectory: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> DatasetLocator {
    var directories: [URL] = []
    var explicit: URL?
    if let dataDirectory {
      explicit = URL(fileURLWithPath: dataDirectory)
      directories.append(explicit!)
    } else if let fromEnvironment = environment["SANN_DATA_DIR"], !fromEnvironment.isEmpty {
      explicit = URL(fileURLWithPath: fromEnvironment)
      directories.append(explicit!)
    } else {
      let home = environment["HOME"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
      directories.append(home.appendingPathComponent(".cache/sann/openml"))
    }
    if let bundled = bundledDirectory { directories.append(bundled) }
    return DatasetLocator(directories: directories, explicitDirectory: explicit)
  }

  /// The repository's `Datasets/` folder: found from this source file's location (SANNKit is
  /// built from source) or, failing that, from the working directory.
  public static var bundledDirectory: URL? {
    let fromSource = URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Datasets")
    let fromWorkingDirectory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Datasets")
    return [fromSource, fromWorkingDirectory].first {
      FileManager.default.fileExists(atPath: $0.appendingPathComponent("manifest.json").path)
    }
  }

  /// Resolves dataset `id`, or throws ``DatasetError/notFound(id:searched:)`` listing every
  /// directory that was searched.
  ///
  /// A named directory that is missing or not a directory, a `manifest.json` that does not
  /// parse, or a manifest entry whose file is missing is an error, not a reason to look further.
  public func locate(id: Int) throws -> Location {
    let fm = FileManager.default
    if let explicitDirectory {
      var isDirectory: ObjCBool = false
      guard fm.fileExists(atPath: explicitDirectory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw DatasetError.unreadable(path: explicitDirectory.path, reason: "the data directory (--data-dir or SANN_DATA_DIR) \(fm.fileExists(atPath: explicitDirectory.path) ? "is a file" : "does not exist"); give the directory that holds N.arff, N.csv or manifest.json")
      }
    }
    for directory in directories {
      for ext in ["arff", "csv"] {
        let file = directory.appendingPathComponent("\(id).\(ext)")
        if fm.fileExists(atPath: file.path) { return Location(url: file, name: "\(id)", target: nil, task: nil) }
      }
      let manifest = directory.appendingPathComponent("manifest.json")
      if let data = fm.contents(atPath: manifest.path) {
        guard let entries = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
          throw DatasetError.unreadable(path: manifest.path, reason: "is not a list of {\"openml_id\", \"file\", …} entries; fix or remove it")
        }
        // Entries for this id, read strictly: an id written as text or with a fraction, two
        // entries for one id, or a target that is not a column name is an error, not a miss.
        var matches: [[String: Any]] = []
        for (k, entry) in entries.enumerated() {
          // A JSON true or false is an NSNumber of type 'c'; on Linux `is Bool` holds for 0 and 1 too.
          if let number = entry["openml_id"] as? NSNumber, String(cString: number.objCType) != "c" {
            let value = number.doubleValue
            if value == Double(id) { matches.append(entry) }
            else if value.rounded(.towardZero) == Double(id) {
              throw DatasetError.unreadable(path: manifest.path, reason: "entry \(k + 1) has openml_id \(number), not a whole number; write \(id)")
            }
          } else if let text = entry["openml_id"] as? String, Int(text.trimmingCharacters(in: .whitespaces)) == id {
            throw DatasetError.unreadable(path: manifest.path, reason: "entry \(k + 1) gives openml_id \"\(text)\" as text; write it as a number, \(id)")
          }
        }
        guard matches.count <= 1 else {
          throw DatasetError.unreadable(path: manifest.path, reason: "lists dataset \(id) \(matches.count) times; keep one entry")
        }
        for entry in matches {
          if let target = entry["target"], !(target is String || target is NSNull) {
            throw DatasetError.unreadable(path: manifest.path, reason: "gives dataset \(id) the target \(target), not a column name; write the target column's name as text")
          }
          guard let file = entry["file"] as? String else {
            throw DatasetError.unreadable(path: manifest.path, reason: "lists dataset \(id) without a \"file\"")
          }
          let url = directory.appendingPathComponent(file)
          guard fm.fileExists(atPath: url.path) else {
            throw DatasetError.unreadable(path: manifest.path, reason: "lists \(file) for dataset \(id), which does not exist in \(directory.path)")
          }
          return Location(url: url, name: entry["name"] as? String ?? "\(id)", target: entry["target"] as? String,
                          task: entry["task"] as? String)
        }
      }
    }
    throw DatasetError.notFound(id: "\(id)", searched: directories.map(\.path))
  }
}
