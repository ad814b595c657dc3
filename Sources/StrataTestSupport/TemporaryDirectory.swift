import Foundation

/// Makes a new, empty directory under the system's temporary directory for one test, named
/// `<prefix>-<UUID>`.
///
/// The caller removes it (`defer { try? FileManager.default.removeItem(at: directory) }`); the prefix names
/// the suite, so a directory a failed run leaves behind says where it came from.
public func makeTemporaryDirectory(_ prefix: String) throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}
