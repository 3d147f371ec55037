import Foundation
import Tensor
#if canImport(Glibc)
  import Glibc
#endif

/// The folder of one `sann train` run (`<output>/<kind>/<dataset>/<seed>`), written as a unit:
///
/// - before training, the parent is created (an unwritable place fails at once, not after the
///   epochs) and an advisory lock is taken on `.<seed>.lock` beside the run, so a second train
///   into the same folder is refused instead of interleaving its files with this one's;
/// - every file of the run goes into a fresh staging folder `.<seed>.staging-<pid>`;
/// - ``commit()`` moves the old run aside, renames the staging folder into place and removes the
///   old one. A kill at any moment leaves the old run, no run, or the new run — never a model
///   from one run beside the results of another. Leftovers of a killed run are removed by the
///   next run into the same folder, which first puts back an old run that was set aside with
///   no new one in its place.
final class RunDirectory {
  let final: URL
  let staging: URL
  private let parent: URL
  private let lockDescriptor: Int32
  private let lockPath: String
  /// The folders this run created on the way to `parent`, outermost first.
  private let createdFolders: [URL]
  private var committed = false

  init(parent: URL, name: String) throws {
    self.parent = parent
    final = parent.appendingPathComponent(name)
    staging = parent.appendingPathComponent(".\(name).staging-\(getpid())")
    var missing: [URL] = []
    var ancestor = parent
    while !FileManager.default.fileExists(atPath: ancestor.path) && ancestor.path != "/" {
      missing.insert(ancestor, at: 0)
      ancestor.deleteLastPathComponent()
    }
    createdFolders = missing
    do {
      try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
    } catch {
      throw CommandError("cannot create the output folder \(parent.path) (\(FileProblem.beforeCreating(parent) ?? FileProblem.describe(error))); give a writable --output_dir")
    }
    lockPath = parent.appendingPathComponent(".\(name).lock").path
    let descriptor = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw CommandError("cannot write in the output folder \(parent.path) (\(String(cString: strerror(errno)))); give a writable --output_dir")
    }
    guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
      close(descriptor)
      throw CommandError("another sann train is writing \(final.path); wait for it or give another --output_dir")
    }
    lockDescriptor = descriptor
    // Holding the lock, any staging or set-aside folder of this run's name is a killed run's. A
    // run killed between moving the old folder aside and moving the new one in left no folder
    // and the old one set aside: that is put back, with any files of the user's in it.
    // (Thrown from here on, deinit releases the lock.)
    let fm = FileManager.default
    let leftovers = ((try? fm.contentsOfDirectory(atPath: parent.path)) ?? []).sorted()
    var finalStatus = stat()
    if lstat(final.path, &finalStatus) != 0, let setAside = leftovers.first(where: { $0.hasPrefix(".\(name).old-") }) {
      guard rename(parent.appendingPathComponent(setAside).path, final.path) == 0 else {
        let reason = String(cString: strerror(errno))
        throw CommandError("cannot put back the earlier run \(parent.appendingPathComponent(setAside).path) as \(final.path) (\(reason)); move it there yourself, then train again")
      }
    }
    // A set-aside run is only removed beside a complete run folder (the newer run it gave way to).
    var isDirectory: ObjCBool = false
    let runInPlace = fm.fileExists(atPath: final.path, isDirectory: &isDirectory) && isDirectory.boolValue
    for entry in leftovers where entry.hasPrefix(".\(name).staging-") || (runInPlace && entry.hasPrefix(".\(name).old-")) {
      if fm.fileExists(atPath: parent.appendingPathComponent(entry).path) { try? fm.removeItem(at: parent.appendingPathComponent(entry)) }
    }
    // The run replaces the folder's model and results, never anything else: a file where the
    // folder goes, or a folder where one of those files goes, is refused before any training.
    if let obstacle = Self.obstacle(inRun: final) { throw CommandError(obstacle) }
    do {
      try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false)
    } catch {
      throw CommandError("cannot write in the output folder \(parent.path) (\(FileProblem.describe(error))); give a writable --output_dir")
    }
  }

  /// Hard-links every entry of `old` that `new` lacks into `new`; folders both hold are merged
  /// the same way, and a file both hold is the new run's. A file where the new run writes a
  /// folder (or the reverse), or an entry that cannot be linked (another file system), throws.
  static func carryOver(from old: URL, into new: URL, skipping skipped: Set<String> = []) throws {
    let fm = FileManager.default
    let entries: [String]
    do {
      entries = try fm.contentsOfDirectory(atPath: old.path)
    } catch {
      throw CommandError("cannot read \(old.path) to keep its files (\(FileProblem.describe(error))); nothing was replaced")
    }
    let present = Set((try? fm.contentsOfDirectory(atPath: new.path)) ?? [])
    for entry in entries where !skipped.contains(entry) {
      let (source, target) = (old.appendingPathComponent(entry), new.appendingPathComponent(entry))
      var status = stat()
      guard lstat(source.path, &status) == 0 else { continue }  // gone meanwhile
      let isFolder = status.st_mode & S_IFMT == S_IFDIR
      if present.contains(entry) {
        var written = stat()
        let writesFolder = lstat(target.path, &written) == 0 && written.st_mode & S_IFMT == S_IFDIR
        if isFolder && writesFolder {
          try carryOver(from: source, into: target)
        } else if isFolder != writesFolder {
          throw CommandError("\(source.path) is a \(isFolder ? "folder" : "file") where this run writes a \(writesFolder ? "folder" : "file"); move it away and train again (nothing was replaced)")
        }
        continue
      }
      if isFolder {
        guard mkdir(target.path, status.st_mode & 0o7777) == 0 else {
          throw CommandError("cannot keep \(source.path) in the new run (\(String(cString: strerror(errno)))); nothing was replaced")
        }
        try carryOver(from: source, into: target)
      } else if link(source.path, target.path) != 0 {
        throw CommandError("cannot keep \(source.path) in the new run (\(String(cString: strerror(errno)))); nothing was replaced — move it out of the run folder and train again")
      }
    }
  }

  /// The companions a run folder's output_info.json lists (the folders of models it trained on
  /// the way, such as Sum-of-Parts' backbone) that are folders beside it.
  static func companions(of folder: URL) -> [String] {
    guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("output_info.json").path),
          let info = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
          let components = info["components"] as? [String: Any] else { return [] }
    return components.keys.filter { name in
      !name.contains("/") && name != "." && name != ".."
        && FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).appendingPathComponent("model.safetensors").path)
    }
  }

  /// The files a run writes into its folder and replaces there.
  static let runFiles = ["model.safetensors", "output_info.json"]

  /// What stands where the run goes and is not an earlier run's: a file in the folder's place,
  /// or a folder in the place of one of the run's files.
  static func obstacle(inRun folder: URL) -> String? {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) else { return nil }
    guard isDirectory.boolValue else {
      return "\(folder.path) is a file, where the run's folder goes; move it away or give another --output_dir or --seed"
    }
    for file in runFiles {
      let path = folder.appendingPathComponent(file).path
      if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
        return "\(path) is a folder, where the run writes its \(file); move it away or give another --output_dir or --seed"
      }
    }
    return nil
  }

  /// Without a commit (bad input found after the folder was made, a failed training) the run
  /// leaves nothing: its staging folder, and the lock and folders it created if they are empty.
  deinit {
    try? FileManager.default.removeItem(at: staging)
    if !committed && !createdFolders.isEmpty {
      unlink(lockPath)
      for folder in createdFolders.reversed() { rmdir(folder.path) }
    }
    flock(lockDescriptor, LOCK_UN)
    close(lockDescriptor)
  }

  /// Puts the staged run in place of the old one. Everything of the old folder that the new
  /// run does not write itself — a user's explanations, a saved backbone the run reads, a
  /// user's folder that holds a model — is carried over first, hard-linked
  /// (folders merged, one level at a time, user files inside a companion's folder kept), so
  /// nothing is lost; anything that cannot be carried stops the commit before anything moves.
  ///
  /// One exception: a companion the old run trained (listed under `components` in its
  /// output_info.json) that this run does not write goes with the old run, since this run's
  /// results no longer describe it — unless this run reads from inside it (`inputs`, such as
  /// `--backbone`), in which case it stays.
  func commit(inputs: [String] = []) throws {
    if FileManager.default.fileExists(atPath: final.path) {
      let written = Set((try? FileManager.default.contentsOfDirectory(atPath: staging.path)) ?? [])
      let read = inputs.map { ModelInput.resolved($0) }
      let stale = Self.companions(of: final).filter { name in
        let folder = ModelInput.resolved(final.appendingPathComponent(name))
        return !written.contains(name) && !read.contains { $0 == folder || $0.hasPrefix(folder + "/") }
      }
      try Self.carryOver(from: final, into: staging, skipping: Set(stale))
    }
    let old = parent.appendingPathComponent(".\(final.lastPathComponent).old-\(getpid())")
    let hadOld = FileManager.default.fileExists(atPath: final.path)
    if hadOld {
      guard rename(final.path, old.path) == 0 else {
        throw CommandError("cannot replace \(final.path) (\(String(cString: strerror(errno))))")
      }
    }
    guard rename(staging.path, final.path) == 0 else {
      let reason = String(cString: strerror(errno))
      if hadOld { _ = rename(old.path, final.path) }
      throw CommandError("cannot move the new run into \(final.path) (\(reason))")
    }
    if hadOld { try? FileManager.default.removeItem(at: old) }
    committed = true
  }
}
