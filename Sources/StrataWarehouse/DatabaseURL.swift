/// A PostgreSQL connection URL, `postgresql://[user[:password]@]host[:port]/database[?sslmode=MODE]`.
///
/// As libpq reads it: `postgres://` is accepted too, user, password and database are percent-decoded, the
/// port defaults to 5432, an IPv6 host is written in brackets (`[::1]`), the user defaults to `PGUSER`,
/// else `USER`. The password comes from the URL, else from `PGPASSWORD`; `description` never shows it.
/// `sslmode` is `disable`, `prefer` (the default: TLS when the server offers it), `require` (TLS or fail;
/// like libpq, the certificate is not verified), `verify-ca` (TLS with the certificate checked against the
/// system's trust roots) or `verify-full` (that, and the certificate must name the host).
public struct DatabaseURL: Sendable, Hashable, CustomStringConvertible {
  public enum TLSMode: String, Sendable, Hashable, CaseIterable {
    case disable, prefer, require
    case verifyCA = "verify-ca"
    case verifyFull = "verify-full"
  }

  public let host: String
  public let port: Int
  public let user: String
  public let password: String?
  public let database: String
  public let tlsMode: TLSMode

  /// Parses `text`; `environment` supplies `PGPASSWORD` when the URL has no password and `PGUSER` (else
  /// `USER`) when it has no user.
  public init(_ text: String, environment: [String: String] = [:]) throws(WarehouseError) {
    func fail(_ problem: String) -> WarehouseError {
      WarehouseError("--database must be postgresql://user@host:port/database: \(problem)")
    }
    var rest = Substring(text)
    if rest.hasPrefix("postgresql://") {
      rest = rest.dropFirst("postgresql://".count)
    } else if rest.hasPrefix("postgres://") {
      rest = rest.dropFirst("postgres://".count)
    } else {
      throw fail("it does not start with postgresql://")
    }
    var query: Substring = ""
    if let mark = rest.firstIndex(of: "?") {
      query = rest[rest.index(after: mark)...]
      rest = rest[..<mark]
    }
    guard let slash = rest.firstIndex(of: "/") else { throw fail("the database name is missing") }
    let authority = rest[..<slash]
    guard let database = Self.decode(rest[rest.index(after: slash)...]), !database.isEmpty else {
      throw fail("the database name is missing")
    }
    let at = authority.lastIndex(of: "@")
    let credentials = at.map { authority[..<$0] } ?? ""
    var hostPort = at.map { authority[authority.index(after: $0)...] } ?? authority
    let userPart = credentials.firstIndex(of: ":").map { credentials[..<$0] } ?? credentials
    guard let decodedUser = Self.decode(userPart) else { throw fail("the user name is not valid percent-encoding") }
    guard let user = decodedUser.isEmpty ? environment["PGUSER"] ?? environment["USER"] : decodedUser,
      !user.isEmpty
    else { throw fail("the user name is missing (write user@host, or set PGUSER)") }
    var password: String?
    if let colon = credentials.firstIndex(of: ":") {
      guard let decoded = Self.decode(credentials[credentials.index(after: colon)...]) else {
        throw fail("the password is not valid percent-encoding")
      }
      password = decoded
    }
    var port = 5432
    var host: Substring
    if hostPort.hasPrefix("[") {
      guard let close = hostPort.firstIndex(of: "]") else { throw fail("an IPv6 host needs a closing ]") }
      host = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
      hostPort = hostPort[hostPort.index(after: close)...]
      if !hostPort.isEmpty {
        guard hostPort.hasPrefix(":") else { throw fail("unexpected text after the host") }
        hostPort = hostPort.dropFirst()
        guard let value = Int(hostPort), (1...65535).contains(value) else { throw fail("the port is not 1-65535") }
        port = value
      }
    } else if let colon = hostPort.lastIndex(of: ":") {
      host = hostPort[..<colon]
      guard let value = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(value) else {
        throw fail("the port is not 1-65535")
      }
      port = value
    } else {
      host = hostPort
    }
    guard !host.isEmpty else { throw fail("the host is missing") }
    var mode = TLSMode.prefer
    for item in query.split(separator: "&") where !item.isEmpty {
      let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, parts[0] == "sslmode" else {
        throw fail("the only parameter understood is sslmode, got \"\(parts[0])\"")
      }
      guard let value = TLSMode(rawValue: parts[1]) else {
        throw fail("sslmode must be one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      mode = value
    }
    self.host = String(host)
    self.port = port
    self.user = user
    self.password = password ?? environment["PGPASSWORD"]
    self.database = database
    tlsMode = mode
  }

  /// The URL without the password (safe for messages, logs and reports).
  public var description: String {
    let shownHost = host.contains(":") ? "[\(host)]" : host
    return "postgresql://\(user)@\(shownHost):\(port)/\(database)"
  }

  private static func decode(_ text: Substring) -> String? {
    var bytes: [UInt8] = []
    var index = text.utf8.startIndex
    let utf8 = text.utf8
    while index < utf8.endIndex {
      let byte = utf8[index]
      if byte == UInt8(ascii: "%") {
        let first = utf8.index(after: index)
        guard first < utf8.endIndex, utf8.index(after: first) < utf8.endIndex,
          let high = hex(utf8[first]), let low = hex(utf8[utf8.index(after: first)])
        else { return nil }
        bytes.append(high << 4 | low)
        index = utf8.index(first, offsetBy: 2)
      } else {
        bytes.append(byte)
        index = utf8.index(after: index)
      }
    }
    return String(validating: bytes, as: UTF8.self)
  }

  private static func hex(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
  }
}
