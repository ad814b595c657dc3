import Crypto
import Foundation

/// What a key may do.
///
/// `client` keys live in browsers and apps, so they may only run bulk evaluation; `server` keys evaluate single flags
/// and assign; `viewer` keys read the catalog; `admin` keys may do everything.
public enum APIKeyRole: String, Sendable, Hashable, CaseIterable {
  case client, server, admin, viewer
}

/// A stored API key: its name, role and the SHA-256 of the key text.
///
/// The key itself is never stored.
public struct APIKey: Sendable, Hashable {
  public var name: String
  public var role: APIKeyRole
  /// Lowercase hex SHA-256 of the key's UTF-8 bytes.
  public var sha256: String
  /// When the key was made (ISO 8601, UTC).
  public var created: String
  /// Whether this key's single-flag OFREP evaluations log the unit's exposure (as `?expose=true` does).
  public var expose: Bool

  public init(name: String, role: APIKeyRole, sha256: String, created: String, expose: Bool = false) {
    self.name = name
    self.role = role
    self.sha256 = sha256
    self.created = created
    self.expose = expose
  }

  /// Makes a new random key for `role`: `strata_<role>_` and 43 base64url characters (256 bits from the system's
  /// secure generator).
  ///
  /// Returns the key text (to show once) and its record.
  public static func generate(name: String, role: APIKeyRole, now: Date = Date()) -> (key: String, record: APIKey) {
    var generator = SystemRandomNumberGenerator()
    let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    let secret = Data(bytes).base64EncodedString()
      .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
      .replacingOccurrences(of: "=", with: "")
    let key = "strata_\(role.rawValue)_\(secret)"
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    return (key, APIKey(name: name, role: role, sha256: digest(of: key), created: formatter.string(from: now)))
  }

  /// Lowercase hex SHA-256 of a key's text.
  public static func digest(of key: String) -> String { Catalog.sha256(key.utf8) }

  /// Calls `body` with the raw SHA-256 bytes of a key's text (no array made for the text or the digest).
  static func withDigest<T>(of key: Substring, _ body: (UnsafeRawBufferPointer) -> T) -> T {
    var key = key
    let digest = key.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
    return digest.withUnsafeBytes(body)
  }

  /// Key names: letters, digits, `_`, `-`, `.`, 1 to 64 characters.
  public static func isValidName(_ name: String) -> Bool {
    !name.isEmpty && name.utf8.count <= 64
      && name.utf8.allSatisfy { byte in
        (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == 0x5F || byte == 0x2D
          || byte == 0x2E
      }
  }
}
