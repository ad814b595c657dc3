import Foundation
import StrataAnalysis
import StrataDefinitions

/// The keys file: one JSON object per line, `{"name": ..., "role": ..., "sha256": ..., "created": ...}`, and
/// `"expose": true` for a key whose single-flag OFREP evaluations log the exposure.
///
/// It holds only hashes, so it can be kept in configuration management; the key texts are shown once, by `strata keys
/// new`, and never again.
public enum KeyFile {
  /// Reads a keys file; every problem names the file, the line and the field.
  public static func read(_ url: URL) throws(KeyFileError) -> [APIKey] {
    try parse(bytes(of: url), file: url.path)
  }

  /// The largest keys file read (about 400,000 keys): a device such as `/dev/zero` named by mistake is refused.
  static let largestFile = 64 << 20

  /// The bytes of a keys file, or one sentence saying why it cannot be read: missing, a directory, unreadable, larger
  /// than `largestFile`.
  public static func bytes(of url: URL) throws(KeyFileError) -> [UInt8] {
    do {
      return try FileBytes.read(url.path, limit: largestFile)
    } catch {
      switch error {
      case .missing: throw KeyFileError(description: "\(url.path): no such keys file (make one with `strata keys new`)")
      case .directory:
        throw KeyFileError(
          description: "\(url.path): is a directory, not a keys file (JSON lines that `strata keys new` writes)")
      case .tooLarge, .system: throw KeyFileError(description: "\(url.path): the keys file \(error.reason)")
      }
    }
  }

  /// Parses the text of a keys file.
  ///
  /// A leading UTF-8 byte-order mark (Windows Notepad saves one) is skipped, as every file reader of ours skips it
  /// (``FileBytes/withoutByteOrderMark(_:)``); one further in (two files joined) is named as such.
  public static func parse(_ bytes: [UInt8], file: String) throws(KeyFileError) -> [APIKey] {
    var keys: [APIKey] = []
    var names: Set<String> = []
    var hashes: Set<String> = []
    let text = FileBytes.withoutByteOrderMark(bytes)
    for (number, line) in text.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
      let where_ = "\(file):\(number + 1)"
      if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
      let json: JSON
      do {
        json = try JSON.parse(line)
      } catch {
        if let mark = line.firstRange(of: [0xEF, 0xBB, 0xBF]) {
          throw KeyFileError(
            description:
              "\(where_): a UTF-8 byte-order mark at byte \(line.distance(from: line.startIndex, to: mark.lowerBound)) "
              + "(only the first bytes of the file may hold one: were two files joined? save it as UTF-8 without one)")
        }
        throw KeyFileError(description: "\(where_): \(error)")
      }
      func text(_ field: String) throws(KeyFileError) -> String {
        guard case .string(let value)? = json[field] else {
          throw KeyFileError(description: "\(where_): \(field): missing or not text")
        }
        return value
      }
      let name = try text("name")
      guard APIKey.isValidName(name) else {
        throw KeyFileError(
          description: "\(where_): name: \"\(name)\" must be 1-64 letters, digits, \"_\", \"-\" or \".\"")
      }
      let roleText = try text("role")
      guard let role = APIKeyRole(rawValue: roleText) else {
        let roles = APIKeyRole.allCases.map(\.rawValue).joined(separator: ", ")
        throw KeyFileError(description: "\(where_): role: \"\(roleText)\" is not one of \(roles)")
      }
      let hash = try text("sha256")
      guard hash.utf8.count == 64, hash.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
      else {
        throw KeyFileError(description: "\(where_): sha256: expected 64 lowercase hex digits")
      }
      guard names.insert(name).inserted else {
        throw KeyFileError(description: "\(where_): name: key \"\(name)\" is listed twice")
      }
      guard hashes.insert(hash).inserted else {
        throw KeyFileError(description: "\(where_): sha256: the same key is listed twice")
      }
      let created: String
      if case .string(let value)? = json["created"] { created = value } else { created = "" }
      var expose = false
      switch json["expose"] {
      case nil, .null?: break
      case .bool(let flag)?: expose = flag
      default: throw KeyFileError(description: "\(where_): expose: expected true or false")
      }
      keys.append(APIKey(name: name, role: role, sha256: hash, created: created, expose: expose))
    }
    return keys
  }

  /// The file's text for `keys`.
  public static func render(_ keys: [APIKey]) -> String {
    keys.map { key in
      var members: [(String, JSON)] = [
        ("name", .string(key.name)), ("role", .string(key.role.rawValue)), ("sha256", .string(key.sha256)),
        ("created", .string(key.created)),
      ]
      if key.expose { members.append(("expose", .bool(true))) }
      return JSON.object(members).serialized() + "\n"
    }.joined()
  }

  /// Adds a new key to the file (created when missing) and returns the key text, to be shown once.
  ///
  /// The file is replaced atomically, so a crash leaves the old file or the new one.
  public static func addKey(name: String, role: APIKeyRole, expose: Bool = false, to url: URL) throws(KeyFileError)
    -> String
  {
    guard APIKey.isValidName(name) else {
      throw KeyFileError(description: "--name: \"\(name)\" must be 1-64 letters, digits, \"_\", \"-\" or \".\"")
    }
    var keys: [APIKey] = []
    if FileManager.default.fileExists(atPath: url.path) { keys = try read(url) }
    guard !keys.contains(where: { $0.name == name }) else {
      throw KeyFileError(description: "\(url.path): a key named \"\(name)\" exists already; choose another name")
    }
    var (key, record) = APIKey.generate(name: name, role: role)
    record.expose = expose
    keys.append(record)
    do {
      try AtomicFile.write(render(keys), to: url)
    } catch {
      throw KeyFileError(description: "\(url.path): cannot write the keys file (\(error))")
    }
    return key
  }
}

/// A keys file that cannot be used, naming the file, line and field.
public struct KeyFileError: Error, CustomStringConvertible, Sendable {
  public var description: String
}
