import Foundation
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
///   next run into the same folder.
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
      throw CommandError("cannot create the output folder \(parent.path) (\(Self.obstacle(to: parent) ?? error.localizedDescription)); give a writable --output_dir")
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
    // Holding the lock, any staging or set-aside folder of this run's name is a killed run's.
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
    where entry.hasPrefix(".\(name).staging-") || entry.hasPrefix(".\(name).old-") {
      try? FileManager.default.removeItem(at: parent.appendingPathComponent(entry))
    }
    do {
      try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false)
    } catch {
      throw CommandError("cannot write in the output folder \(parent.path) (\(error.localizedDescription)); give a writable --output_dir")
    }
  }

  /// Why a folder cannot be created: the nearest existing ancestor is a file, or not writable.
  static func obstacle(to folder: URL) -> String? {
    var ancestor = folder
    while !FileManager.default.fileExists(atPath: ancestor.path) && ancestor.path != "/" { ancestor.deleteLastPathComponent() }
    var isDirectory: ObjCBool = false
    _ = FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory)
    if !isDirectory.boolValue { return "\(ancestor.path) is a file" }
    if access(ancestor.path, W_OK) != 0 { return "\(ancestor.path) is not writable" }
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

  /// Puts the staged run in place of the old one. Files of the old folder that are not the
  /// run's own (model.safetensors, output_info.json, a trained companion's folder) — a user's
  /// explanations, say — are carried over first (hard-linked, or copied), so nothing is lost.
  func commit() throws {
    let fm = FileManager.default
    let owned = Set((try? fm.contentsOfDirectory(atPath: staging.path)) ?? [])
    for entry in (try? fm.contentsOfDirectory(atPath: final.path)) ?? [] where !owned.contains(entry) {
      let source = final.appendingPathComponent(entry)
      // A folder with its own model is a companion an earlier run trained; this run did not.
      if fm.fileExists(atPath: source.appendingPathComponent("model.safetensors").path) || entry == "model.safetensors" || entry == "output_info.json" {
        continue
      }
      let target = staging.appendingPathComponent(entry)
      if link(source.path, target.path) != 0 { try? fm.copyItem(at: source, to: target) }
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
