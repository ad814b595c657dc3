import Crypto
import Foundation
import StrataDefinitions

/// The server secret that turns unit ids into keyed hashes (HMAC-SHA256) for the consent table and the audit log.
///
/// Kept in a file outside the database (`--audit-key`), so a copy of the database alone cannot be searched for a
/// known unit id. The database stores only the key's fingerprint, so a server started with a different key (which
/// would no longer recognise recorded refusals) refuses to start.
public struct AuditKey: Sendable {
  /// The key's bytes (`SymmetricKey` is not `Sendable`; one is made per use, which costs far less than the HMAC).
  private let bytes: [UInt8]

  /// A key from its bytes (at least 32).
  public init(bytes: [UInt8]) {
    precondition(bytes.count >= 32, "an audit key has at least 256 bits")
    self.bytes = bytes
  }

  private var key: SymmetricKey { SymmetricKey(data: bytes) }

  /// Lowercase hex HMAC-SHA256 of a unit id's UTF-8 bytes.
  public func hash(unit: String) -> String {
    Catalog.hex(HMAC<SHA256>.authenticationCode(for: Array(unit.utf8), using: key))
  }

  /// What the database records to recognise the key (an HMAC of a fixed text, which reveals nothing of the key).
  public var fingerprint: String {
    Catalog.hex(HMAC<SHA256>.authenticationCode(for: Array("strata audit key fingerprint v1".utf8), using: key))
  }

  /// Reads the key file (64 hex digits, optionally followed by a newline), or makes it.
  ///
  /// A missing file is created with a new random key (mode 0600). Returns the key and whether the file was created.
  public static func load(file: String) throws(AuditKeyError) -> (key: AuditKey, created: Bool) {
    let manager = FileManager.default
    var existing: [UInt8]?
    do {
      existing = try FileBytes.read(file, limit: 1 << 20)
    } catch {
      switch error {
      case .missing: existing = nil
      case .directory:
        throw AuditKeyError(
          description: "\(file): is a directory, not an audit key file (name a file; it is made when missing)")
      case .tooLarge, .system: throw AuditKeyError(description: "\(file): the audit key file \(error.reason)")
      }
    }
    if let data = existing {
      let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
      guard let bytes = decodeHex(text), bytes.count >= 32 else {
        throw AuditKeyError(
          description: "\(file): an audit key file holds 64 or more hex digits (it is made when missing; never edit it)"
        )
      }
      return (AuditKey(bytes: bytes), false)
    }
    var generator = SystemRandomNumberGenerator()
    let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    let text = Catalog.hex(bytes) + "\n"
    guard manager.createFile(atPath: file, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
      let reason = NewFileCheck.problem(making: file) ?? "does its directory exist?"
      throw AuditKeyError(description: "\(file): cannot create the audit key file (\(reason))")
    }
    return (AuditKey(bytes: bytes), true)
  }

  /// Checks, writing nothing, that ``load(file:)`` will work: a file that exists holds a key; a missing one can be
  /// made (its directory exists and this process may create files in it: ``NewFileCheck``).
  public static func check(file: String) throws(AuditKeyError) {
    if FileManager.default.fileExists(atPath: file) {
      _ = try load(file: file)
      return
    }
    if let problem = NewFileCheck.problem(making: file) {
      throw AuditKeyError(description: "\(file): cannot make the audit key file there (\(problem))")
    }
  }

  static func decodeHex(_ text: String) -> [UInt8]? {
    let digits = Array(text.utf8)
    guard !digits.isEmpty, digits.count % 2 == 0 else { return nil }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(digits.count / 2)
    func value(_ digit: UInt8) -> UInt8? {
      switch digit {
      case 0x30...0x39: return digit - 0x30
      case 0x61...0x66: return digit - 0x57
      case 0x41...0x46: return digit - 0x37
      default: return nil
      }
    }
    for position in stride(from: 0, to: digits.count, by: 2) {
      guard let high = value(digits[position]), let low = value(digits[position + 1]) else { return nil }
      bytes.append(high << 4 | low)
    }
    return bytes
  }
}

/// An audit key file that cannot be used, or a key that does not match the database's.
public struct AuditKeyError: Error, CustomStringConvertible, Sendable {
  public var description: String
}
