import Crypto
import HTTPTypes
import Synchronization

/// Checks a request's API key (`X-API-Key: K` or `Authorization: Bearer K`) against the stored hashes.
///
/// The presented key is hashed and compared with every stored hash in constant time, so neither a key nor its
/// position can be learnt from response times.
public final class Authenticator: Sendable {
  /// The outcome for one request.
  public enum Outcome: Sendable {
    /// The key is valid and its role may use the operation (nil key: authentication is off).
    case allowed(APIKey?)
    /// No key, or a key that matches none: 401 with a challenge.
    case unauthenticated(String)
    /// A valid key whose role may not use the operation: 403.
    case forbidden(APIKey)
  }

  private struct Stored: Sendable {
    var digest: [UInt8]
    var key: APIKey
  }

  private let stored: Mutex<[Stored]>

  public init(keys: [APIKey]) {
    self.stored = Mutex(Authenticator.decoded(keys))
  }

  /// Whether any key is configured; without keys the service is open (loopback use only).
  public var isEnabled: Bool { stored.withLock { !$0.isEmpty } }

  /// The keys in use.
  public var keys: [APIKey] { stored.withLock { $0.map(\.key) } }

  /// Replaces the keys (after the keys file changed).
  public func replace(_ newKeys: [APIKey]) {
    let stored = Authenticator.decoded(newKeys)
    self.stored.withLock { $0 = stored }
  }

  private static func decoded(_ keys: [APIKey]) -> [Stored] {
    keys.map { key in
      var digest: [UInt8] = []
      let utf8 = Array(key.sha256.utf8)
      for position in stride(from: 0, to: utf8.count, by: 2) {
        func nibble(_ byte: UInt8) -> UInt8 { byte <= 0x39 ? byte - 0x30 : byte - 0x57 }
        digest.append(nibble(utf8[position]) << 4 | nibble(utf8[position + 1]))
      }
      return Stored(digest: digest, key: key)
    }
  }

  /// The key presented by a request, if any: `X-API-Key`, else `Authorization: Bearer`.
  static func presentedKey(_ headers: HTTPFields) -> Substring? {
    if let value = headers.value(of: HTTPField.Name.apiKey), !value.isEmpty { return Substring(value) }
    guard let authorization = headers.value(of: .authorization) else { return nil }
    let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
    guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
    return parts[1].drop { $0 == " " }
  }

  /// Authenticates a request for an operation open to `roles`.
  public func check(_ headers: HTTPFields, roles: Set<APIKeyRole>) -> Outcome {
    let stored = self.stored.withLock { $0 }
    if stored.isEmpty { return .allowed(nil) }
    guard let presented = Authenticator.presentedKey(headers) else {
      return .unauthenticated("an API key is required (X-API-Key or Authorization: Bearer)")
    }
    // Every stored digest is compared, in full, whatever matched before: no early exit.
    var match: APIKey?
    APIKey.withDigest(of: presented) { digest in
      for candidate in stored where Authenticator.constantTimeEqual(candidate.digest, digest) {
        match = candidate.key
      }
    }
    guard let key = match else { return .unauthenticated("the API key is not valid") }
    guard roles.contains(key.role) || key.role == .admin else { return .forbidden(key) }
    return .allowed(key)
  }

  /// Compares two byte strings in time that depends only on their length.
  static func constantTimeEqual(_ a: [UInt8], _ b: UnsafeRawBufferPointer) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices { difference |= a[index] ^ b[index] }
    return difference == 0
  }
}

extension HTTPField.Name {
  static let apiKey: HTTPField.Name = {
    guard let name = HTTPField.Name("X-API-Key") else { preconditionFailure("X-API-Key is a valid field name") }
    return name
  }()
}
