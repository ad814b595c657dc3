import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A PostgreSQL connection URL, read as libpq reads it, by every command that takes one (`analyze --database`,
/// `serve`, `audit verify`, `looks --database`): one reading, so a URL means the same to each of them and to `psql`.
///
/// `postgresql://[user[:password]@][host][:port][/database][?name=value&...]` (`postgres://` too). Every part is
/// percent-decoded; an IPv6 host is written in brackets (`[::1]`). A part that is missing or empty comes, as in libpq,
/// from the query parameter of the same meaning (which wins over the part when both are given), else from its
/// environment variable, else from libpq's default:
///
/// | part | in the URL | else | else |
/// |---|---|---|---|
/// | host | `@host` or `?host=` | `PGHOST` | `localhost` (libpq: its Unix-domain socket, not supported here) |
/// | port | `:port` or `?port=` | `PGPORT` | 5432 |
/// | user | `user@` or `?user=` | `PGUSER` | the operating-system user name (of the effective user id, as libpq) |
/// | password | `:password@` or `?password=` | `PGPASSWORD` | none (`~/.pgpass` is not read) |
/// | database | `/database` or `?dbname=` | `PGDATABASE` | the user name |
/// | `sslmode` | `?sslmode=` | `PGSSLMODE` | `verify-full` with `sslrootcert=system`, else `prefer` |
/// | `sslrootcert` | `?sslrootcert=` | `PGSSLROOTCERT` | `~/.postgresql/root.crt` when that file exists |
///
/// `sslmode` is `disable`, `prefer` (TLS when the server offers it, certificate not checked), `require` (TLS or fail;
/// certificate not checked, unless the `sslrootcert` file exists: then as `verify-ca`), `verify-ca` (the certificate's
/// chain up to `sslrootcert`) or `verify-full` (that, and the certificate names the host). `sslrootcert` is a PEM file
/// of CA certificates, or `system` for the system's trust store, which (as libpq) needs `verify-full`. As in libpq, a
/// named `sslrootcert` file that does not exist is ignored by `prefer` and `require` (no check, and no fallback to
/// `~/.postgresql/root.crt`) and fails `verify-ca` and `verify-full`. libpq's `allow` is refused: postgres-nio cannot
/// start without TLS and switch to it when the server asks.
///
/// Query parameters other than those seven are refused, libpq's others included: one ignored (`sslcert`,
/// `target_session_attrs`) would silently connect otherwise than `psql` does. Several hosts (`h1,h2`) and
/// Unix-domain sockets (a host starting with `/`) are refused too. Messages never show the password, nor does
/// `description`.
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
  /// `sslrootcert`: a PEM file of CA certificates, or `system` (the system's trust store); nil: none (with `prefer`
  /// and `require`, also when the file named does not exist).
  public let rootCertificate: String?

  /// The query parameters understood.
  public static let parameters = ["host", "port", "user", "password", "dbname", "sslmode", "sslrootcert"]

  /// Parses `text` with libpq's fallbacks: `environment` supplies `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`,
  /// `PGDATABASE`, `PGSSLMODE`, `PGSSLROOTCERT` and `HOME`; `account` is the operating-system user (name and home
  /// directory) for the default user and, without `HOME`, the home of `~/.postgresql/root.crt`.
  public init(
    _ text: String, environment: [String: String],
    account: (name: String, home: String)? = DatabaseURL.systemAccount()
  ) throws(WarehouseError) {
    func fail(_ problem: String) -> WarehouseError { WarehouseError("--database: \(problem)") }
    var rest = Substring(text)
    guard let scheme = ["postgresql://", "postgres://"].first(where: { rest.hasPrefix($0) }) else {
      throw fail("a PostgreSQL URL starts with postgresql:// (postgresql://[user[:password]@][host][:port][/database])")
    }
    rest = rest.dropFirst(scheme.count)

    // The credentials first, as libpq reads them: up to the first "@" before any "/", so that a "?", "=", "&" or "#"
    // in a password is the password's, not the start of the query.
    var credentials: Substring = ""
    if let at = rest.prefix(while: { $0 != "/" }).firstIndex(of: "@") {
      credentials = rest[..<at]
      rest = rest[rest.index(after: at)...]
    }

    // The query: name=value pairs, percent-decoded; the last of a name wins (as libpq).
    var parameters: [String: String] = [:]
    if let mark = rest.firstIndex(of: "?") {
      for item in rest[rest.index(after: mark)...].split(separator: "&") {
        guard let equals = item.firstIndex(of: "=") else {
          let named = Self.parameters.contains(String(item)) ? "the query parameter \(item)" : "a query parameter"
          throw fail("\(named) has no value (write name=value)")
        }
        guard let name = Self.decode(item[..<equals]) else {
          throw fail("a query parameter's name is not valid percent-encoding")
        }
        guard Self.parameters.contains(name) else {
          throw fail(
            "the query parameter \"\(name.prefix(40))\" is not supported (supported: "
              + "\(Self.parameters.joined(separator: ", ")))")
        }
        guard let value = Self.decode(item[item.index(after: equals)...]) else {
          throw fail("the value of \(name) is not valid percent-encoding")
        }
        guard !value.isEmpty else { throw fail("\(name) is empty") }
        parameters[name] = value
      }
      rest = rest[..<mark]
    }

    // [user[:password]@][host][:port][/database]
    let slash = rest.firstIndex(of: "/")
    let authority = slash.map { rest[..<$0] } ?? rest
    guard let pathDatabase = Self.decode(slash.map { rest[rest.index(after: $0)...] } ?? "") else {
      throw fail("the database name is not valid percent-encoding")
    }
    var hostPort = authority
    let colon = credentials.firstIndex(of: ":")
    guard let urlUser = Self.decode(colon.map { credentials[..<$0] } ?? credentials) else {
      throw fail("the user name is not valid percent-encoding")
    }
    guard let urlPassword = Self.decode(colon.map { credentials[credentials.index(after: $0)...] } ?? "") else {
      throw fail("the password is not valid percent-encoding")
    }
    guard !hostPort.contains(",") else { throw fail("several hosts (host1,host2) are not supported; give one") }
    var urlHost: Substring
    var urlPort: Substring = ""
    if hostPort.hasPrefix("[") {
      guard let close = hostPort.firstIndex(of: "]") else { throw fail("an IPv6 host needs its closing ] ([::1])") }
      urlHost = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
      hostPort = hostPort[hostPort.index(after: close)...]
      if !hostPort.isEmpty {
        guard hostPort.hasPrefix(":") else { throw fail("unexpected text after the IPv6 host's ]") }
        urlPort = hostPort.dropFirst()
      }
    } else if let colon = hostPort.firstIndex(of: ":") {
      urlHost = hostPort[..<colon]
      urlPort = hostPort[hostPort.index(after: colon)...]
    } else {
      urlHost = hostPort
    }
    guard let decodedHost = Self.decode(urlHost) else { throw fail("the host is not valid percent-encoding") }

    // Each part: the query parameter, else the URL's part, else the environment variable (empty: not given).
    func pick(_ parameter: String, _ part: String, _ variable: String) -> (value: String, source: String)? {
      if let value = parameters[parameter] { return (value, "\(parameter)=") }
      if !part.isEmpty { return (part, "the URL") }
      if let value = environment[variable], !value.isEmpty { return (value, variable) }
      return nil
    }
    let host = pick("host", decodedHost, "PGHOST")
    if let host, host.value.hasPrefix("/") || host.value.hasPrefix("@") {
      throw fail(
        "the host \(host.value) (from \(host.source)) is a Unix-domain socket, which is not supported; give a host "
          + "name or address (localhost)")
    }
    if let host, host.value.contains(",") {
      throw fail("several hosts (from \(host.source)) are not supported; give one")
    }
    var port = 5432
    if let given = pick("port", String(urlPort), "PGPORT") {
      guard given.value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let number = Int(given.value),
        (1...65535).contains(number)
      else {
        throw fail("the port (from \(given.source)) is not a number from 1 to 65535")
      }
      port = number
    }
    guard let user = pick("user", urlUser, "PGUSER")?.value ?? account?.name else {
      throw fail("no user name: write user@host or set PGUSER (the operating-system user has no name)")
    }
    let password = pick("password", urlPassword, "PGPASSWORD")?.value
    let database = pick("dbname", pathDatabase, "PGDATABASE")?.value ?? user

    // TLS: sslrootcert first (sslrootcert=system changes sslmode's default, as libpq).
    var rootCertificate = parameters["sslrootcert"] ?? environment["PGSSLROOTCERT"].flatMap { $0.isEmpty ? nil : $0 }
    if rootCertificate == nil, let home = environment["HOME"] ?? account?.home, !home.isEmpty {
      let file = URL(fileURLWithPath: home).appendingPathComponent(".postgresql/root.crt").path
      if Self.exists(file) { rootCertificate = file }
    }
    let modeGiven =
      parameters["sslmode"].map { ($0, "sslmode") }
      ?? environment["PGSSLMODE"].flatMap { $0.isEmpty ? nil : ($0, "PGSSLMODE") }
    let modeText = modeGiven?.0 ?? (rootCertificate == "system" ? "verify-full" : "prefer")
    let modeName = "\(modeGiven?.1 ?? "sslmode")=\(modeText.prefix(40))"
    guard var mode = TLSMode(rawValue: modeText) else {
      if modeText == "allow" {
        throw fail(
          "\(modeName) is not supported (postgres-nio cannot start without TLS and switch to it when the server "
            + "asks); use prefer or require")
      }
      throw fail("\(modeName) is not one of disable, allow, prefer, require, verify-ca, verify-full")
    }
    if rootCertificate == "system" && mode != .verifyFull {
      throw fail(
        "sslrootcert=system needs sslmode=verify-full (as libpq: a certificate the system trusts can be had for any "
          + "host name), not \(modeName)")
    }
    if rootCertificate == nil && (mode == .verifyCA || mode == .verifyFull) {
      throw fail(
        "\(modeName) needs sslrootcert=FILE (a PEM file of the CA certificates to trust) or sslrootcert=system "
          + "(the system's trust store)")
    }
    // As libpq (fe-secure-openssl.c, initialize_SSL): a root file that does not exist, named (sslrootcert,
    // PGSSLROOTCERT) or not, is an error only for verify-ca and verify-full (there, reading it fails and says so);
    // prefer and require encrypt without checking, as with no root file at all.
    if let file = rootCertificate, file != "system", mode == .prefer || mode == .require, !Self.exists(file) {
      rootCertificate = nil
    }
    if mode == .require && rootCertificate != nil { mode = .verifyCA }  // as libpq: the chain is checked

    self.host = host?.value ?? "localhost"
    self.port = port
    self.user = user
    self.password = password
    self.database = database
    tlsMode = mode
    self.rootCertificate = rootCertificate
  }

  /// Whether `path` exists as libpq asks (`stat(2)` succeeds, following symbolic links): a directory does, and then
  /// fails to read as certificates.
  static func exists(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0
  }

  /// The URL without the password (safe for messages, logs and reports).
  public var description: String {
    let shownHost = host.contains(":") ? "[\(host)]" : host
    return "postgresql://\(user)@\(shownHost):\(port)/\(database)"
  }

  /// The operating-system user of the effective user id (libpq's default user) and its home directory, nil when
  /// the system has no entry for it.
  public static func systemAccount() -> (name: String, home: String)? {
    var entry = passwd()
    var found: UnsafeMutablePointer<passwd>?
    var buffer = [CChar](repeating: 0, count: 1 << 14)
    return buffer.withUnsafeMutableBufferPointer { storage -> (name: String, home: String)? in
      guard let start = storage.baseAddress, getpwuid_r(geteuid(), &entry, start, storage.count, &found) == 0,
        found != nil,
        let name = entry.pw_name
      else { return nil }
      return (String(cString: name), entry.pw_dir.map { String(cString: $0) } ?? "")
    }
  }

  /// Percent-decoded UTF-8 (as libpq, `+` stays `+`); nil for a bad escape, `%00` or invalid UTF-8.
  private static func decode(_ text: Substring) -> String? {
    var bytes: [UInt8] = []
    var index = text.utf8.startIndex
    let utf8 = text.utf8
    while index < utf8.endIndex {
      let byte = utf8[index]
      if byte == UInt8(ascii: "%") {
        let first = utf8.index(after: index)
        guard first < utf8.endIndex, utf8.index(after: first) < utf8.endIndex,
          let high = hex(utf8[first]), let low = hex(utf8[utf8.index(after: first)]), high | low != 0
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
