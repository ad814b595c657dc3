import Foundation
import Testing

@testable import StrataWarehouse

/// libpq's rules for a connection URI (PostgreSQL's documentation, "Connection URIs", "Environment Variables" and
/// "SSL Support"), one test each, as every command reads `--database` (analyze, serve, audit verify, looks).
@Suite struct DatabaseURLTests {
  /// No `~/.postgresql/root.crt` for these tests unless one asks for it.
  static let account = (name: "osuser", home: "/nonexistent-home")

  func read(_ text: String, _ environment: [String: String] = [:]) throws(WarehouseError) -> DatabaseURL {
    try DatabaseURL(text, environment: environment, account: Self.account)
  }

  @Test func partsArePercentDecoded() throws {
    let url = try read("postgresql://ana%40crm:p%40ss%20w+x@db.example:6543/crm%20prod?sslmode=disable")
    #expect(url.user == "ana@crm")
    #expect(url.password == "p@ss w+x")  // `+` stays `+`
    #expect(url.host == "db.example")
    #expect(url.port == 6543)
    #expect(url.database == "crm prod")
    #expect(url.tlsMode == .disable)
    #expect(try read("postgres://h/%E2%82%AC").database == "€")
  }

  /// The user and password end at the first `@` before any `/`, as libpq: a `?`, `=`, `&` or `#` in a password is
  /// the password's (`postgresql://alice:Tr0ub4dor?Secret=horse@db.example.com/crm` said 'the query parameter
  /// "Secret" is not supported', a piece of the password), and a later `@` is the host's.
  @Test func passwordsEndAtTheFirstAtSign() throws {
    for (text, password) in [
      ("postgresql://alice:Tr0ub4dor?Secret=horse@db.example.com/crm", "Tr0ub4dor?Secret=horse"),
      ("postgresql://alice:a&b=c#d@db.example.com/crm?sslmode=require", "a&b=c#d"),
      ("postgresql://alice:p%40ss%3Fw%3Dx%26y@db.example.com/crm", "p@ss?w=x&y"),
    ] {
      let url = try read(text)
      #expect(url.password == password, "\(text)")
      #expect(url.user == "alice" && url.host == "db.example.com" && url.database == "crm", "\(text)")
    }
    #expect(try read("postgresql://alice:x?y=z@db.example.com/crm?sslmode=require").tlsMode == .require)
    let first = try read("postgresql://alice:p@ss@db.example.com/crm")
    #expect(first.password == "p" && first.host == "ss@db.example.com")
  }

  @Test func ipv6HostsAreInBrackets() throws {
    let url = try read("postgres://[::1]:6000/db")
    #expect(url.host == "::1" && url.port == 6000)
    #expect(url.description == "postgresql://osuser@[::1]:6000/db")
    #expect(try read("postgresql://[2001:db8::7]/db").port == 5432)
  }

  @Test func everyPartMayBeLeftOutForItsDefault() throws {
    for text in ["postgresql://", "postgresql:///", "postgres://@:/", "postgresql://localhost"] {
      let url = try read(text)
      #expect(url.host == "localhost", "\(text)")
      #expect(url.port == 5432, "\(text)")
      #expect(url.user == "osuser", "\(text)")  // the operating-system user, as libpq
      #expect(url.password == nil, "\(text)")
      #expect(url.database == "osuser", "\(text)")  // the user name
      #expect(url.tlsMode == .prefer, "\(text)")
      #expect(url.rootCertificate == nil, "\(text)")
    }
    // The database defaults to the user name, wherever that came from.
    #expect(try read("postgresql://ann@h").database == "ann")
    #expect(try read("postgresql://h", ["PGUSER": "ops"]).database == "ops")
  }

  @Test func environmentVariablesFillWhatTheURLLeavesOut() throws {
    let environment = [
      "PGHOST": "db.env", "PGPORT": "6001", "PGUSER": "envuser", "PGPASSWORD": "envpw", "PGDATABASE": "envdb",
      "PGSSLMODE": "require",
    ]
    let url = try read("postgresql://", environment)
    #expect(url.host == "db.env" && url.port == 6001 && url.user == "envuser" && url.password == "envpw")
    #expect(url.database == "envdb" && url.tlsMode == .require)
    // The URL's parts win over the variables.
    let given = try read("postgresql://ann:pw@h:7000/crm?sslmode=disable", environment)
    #expect(given.host == "h" && given.port == 7000 && given.user == "ann" && given.password == "pw")
    #expect(given.database == "crm" && given.tlsMode == .disable)
    // Empty variables count as not set.
    let empty = try read("postgresql://", ["PGHOST": "", "PGUSER": "", "PGPORT": "", "PGSSLMODE": ""])
    #expect(empty.host == "localhost" && empty.user == "osuser" && empty.port == 5432 && empty.tlsMode == .prefer)
  }

  @Test func queryParametersGiveThePartsToo() throws {
    let url = try read("postgresql:///crm?host=db.q&port=6002&user=q%20u&password=p%26w&dbname=d%2Fb")
    #expect(url.host == "db.q" && url.port == 6002 && url.user == "q u" && url.password == "p&w")
    #expect(url.database == "d/b")
    // A parameter wins over the same part in the URL; the last of a name wins (as libpq).
    let both = try read("postgresql://ann@h:1/a?user=bob&port=2&dbname=b&dbname=c")
    #expect(both.user == "bob" && both.port == 2 && both.database == "c" && both.host == "h")
  }

  @Test func sslmodeValues() throws {
    for mode in DatabaseURL.TLSMode.allCases {
      let root = mode == .verifyCA || mode == .verifyFull ? "&sslrootcert=/ca.pem" : ""
      #expect(try read("postgresql://h/d?sslmode=\(mode.rawValue)\(root)").tlsMode == mode)
    }
    // require with a root certificate file that exists checks the chain, as verify-ca (libpq).
    let existing = FileManager.default.temporaryDirectory.appendingPathComponent("strata-ca-\(UUID().uuidString).pem")
    try Data("x".utf8).write(to: existing)
    defer { try? FileManager.default.removeItem(at: existing) }
    let required = try read("postgresql://h/d?sslmode=require&sslrootcert=\(existing.path)")
    #expect(required.tlsMode == .verifyCA && required.rootCertificate == existing.path)
    // sslrootcert=system: verify-full by default; weaker modes refused (libpq 16).
    #expect(try read("postgresql://h/d?sslrootcert=system").tlsMode == .verifyFull)
    let fromVariables = try read("postgresql://h/d", ["PGSSLMODE": "verify-ca", "PGSSLROOTCERT": "/etc/ca.pem"])
    #expect(fromVariables.tlsMode == .verifyCA && fromVariables.rootCertificate == "/etc/ca.pem")
  }

  /// A root file that does not exist fails only verify-ca and verify-full, as libpq.
  ///
  /// libpq (fe-secure-openssl.c, initialize_SSL) stats the root file, named or the default, and when it is not there
  /// fails verify-ca and verify-full but lets prefer and require encrypt without checking; a named file is never
  /// replaced by `~/.postgresql/root.crt`. Before: require with a named file that did not exist read as verify-ca, and
  /// the start stopped ("cannot read sslrootcert ... as PEM certificates").
  @Test func aNamedRootCertificateThatDoesNotExistIsIgnoredByPreferAndRequire() throws {
    let home = FileManager.default.temporaryDirectory.appendingPathComponent("strata-home-\(UUID().uuidString)")
    let defaultFile = home.appendingPathComponent(".postgresql/root.crt")
    try FileManager.default.createDirectory(
      at: defaultFile.deletingLastPathComponent(), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: home) }
    try Data("x".utf8).write(to: defaultFile)
    let missing = home.appendingPathComponent("missing.pem").path
    for environment in [["HOME": home.path], ["HOME": home.path, "PGSSLROOTCERT": missing]] {
      let named = environment["PGSSLROOTCERT"] == nil ? "&sslrootcert=\(missing)" : ""
      for mode in ["require", "prefer"] {
        let url = try read("postgresql://h/d?sslmode=\(mode)\(named)", environment)
        #expect(url.tlsMode.rawValue == mode && url.rootCertificate == nil, "\(mode) \(environment)")
      }
      for mode in [DatabaseURL.TLSMode.verifyCA, .verifyFull] {
        let url = try read("postgresql://h/d?sslmode=\(mode.rawValue)\(named)", environment)
        #expect(url.tlsMode == mode && url.rootCertificate == missing)
        do {
          _ = try url.tlsMode.postgresClientTLS(rootCertificate: url.rootCertificate)
          Issue.record("\(mode.rawValue): an sslrootcert that does not exist was accepted")
        } catch {
          #expect(error.message.contains("sslrootcert \(missing) does not exist"))
        }
      }
    }
  }

  @Test func theDefaultRootCertificateIsUsedWhenItExists() throws {
    let home = FileManager.default.temporaryDirectory.appendingPathComponent("strata-home-\(UUID().uuidString)")
    let file = home.appendingPathComponent(".postgresql/root.crt")
    try FileManager.default.createDirectory(
      at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: home) }
    #expect(try read("postgresql://h/d?sslmode=require", ["HOME": home.path]).tlsMode == .require)  // not there
    try Data("x".utf8).write(to: file)
    let url = try read("postgresql://h/d?sslmode=verify-full", ["HOME": home.path])
    #expect(url.tlsMode == .verifyFull && url.rootCertificate == file.path)
    #expect(try read("postgresql://h/d?sslmode=require", ["HOME": home.path]).tlsMode == .verifyCA)
    #expect(try read("postgresql://h/d", ["HOME": home.path]).tlsMode == .prefer)
    // Without HOME, the account's home directory.
    let account = (name: "osuser", home: home.path)
    #expect(
      try DatabaseURL("postgresql://h/d?sslmode=verify-ca", environment: [:], account: account).tlsMode == .verifyCA)
  }

  @Test func withoutAnyUserNameTheSentenceSaysSo() {
    do {
      _ = try DatabaseURL("postgresql://h/d", environment: [:], account: nil)
      Issue.record("a URL without a user was accepted")
    } catch {
      #expect(error.message.contains("no user name: write user@host or set PGUSER"))
    }
  }

  @Test func theSystemAccountIsTheEffectiveUser() throws {
    let account = try #require(DatabaseURL.systemAccount())
    #expect(!account.name.isEmpty)
    #expect(try DatabaseURL("postgresql://h", environment: [:]).user == account.name)
  }

  @Test func thePasswordIsNeverShown() throws {
    let url = try read("postgresql://ana:hunter2@h:1/d")
    #expect(!url.description.contains("hunter2"))
    #expect(!"\(url)".contains("hunter2"))
    #expect(try read("postgresql://h/d?password=hunter2").description == "postgresql://osuser@h:5432/d")
  }

  @Test(arguments: [
    ("mysql://u:secret@h/d", "starts with postgresql://"),
    ("postgresql://u:secret@h:0/d", "the port (from the URL) is not a number from 1 to 65535"),
    ("postgresql://u:secret@h:x/d", "the port (from the URL) is not a number from 1 to 65535"),
    ("postgresql://u:secret@h:+5/d", "the port (from the URL) is not a number from 1 to 65535"),
    ("postgresql://u:secret@h/d?port=70000", "the port (from port=) is not a number from 1 to 65535"),
    ("postgresql://u:secret@[::1/d", "an IPv6 host needs its closing ]"),
    ("postgresql://u:secret@[::1]x/d", "unexpected text after the IPv6 host's ]"),
    ("postgresql://u:secret@h1,h2/d", "several hosts (host1,host2) are not supported"),
    ("postgresql://u:secret@%2Fvar%2Frun%2Fpostgresql/d", "is a Unix-domain socket, which is not supported"),
    ("postgresql://u:secret@h/d?sslmode=always", "sslmode=always is not one of disable, allow, prefer"),
    ("postgresql://u:secret@h/d?sslmode=allow", "sslmode=allow is not supported"),
    ("postgresql://u:secret@h/d?sslmode=verify-full", "sslmode=verify-full needs sslrootcert=FILE"),
    ("postgresql://u:secret@h/d?sslmode=verify-ca", "sslmode=verify-ca needs sslrootcert=FILE"),
    ("postgresql://u:secret@h/d?sslmode=require&sslrootcert=system", "sslrootcert=system needs sslmode=verify-full"),
    ("postgresql://u:secret@h/d?sslrootcert=", "sslrootcert is empty"),
    ("postgresql://u:secret@h/d?application_name=x", "the query parameter \"application_name\" is not supported"),
    ("postgresql://u:secret@h/d?sslcert=/c.pem", "the query parameter \"sslcert\" is not supported"),
    ("postgresql://u:secret@h/d?secret", "a query parameter has no value"),
    ("postgresql://u:secret@h/d?password=%zzsecret", "the value of password is not valid percent-encoding"),
    ("postgresql://u:%zzsecret@h/d", "the password is not valid percent-encoding"),
    ("postgresql://u%00:secret@h/d", "the user name is not valid percent-encoding"),
    ("postgresql://u:secret@h/d%ff", "the database name is not valid percent-encoding"),
  ])
  func badURLsAreOneSentenceWithoutThePassword(text: String, fragment: String) {
    do {
      _ = try read(text)
      Issue.record("\(text) was accepted")
    } catch {
      #expect(error.message.hasPrefix("--database: "), "\(text)")
      #expect(error.message.contains(fragment), "\(error.message)")
      #expect(!error.message.contains("secret"), "\(text)")
      #expect(!error.message.contains("\n"))
    }
  }

  @Test func variablesThatCannotBeUsedAreNamed() {
    for (environment, fragment) in [
      (["PGPORT": "5432x"], "the port (from PGPORT) is not a number"),
      (["PGSSLMODE": "allow"], "PGSSLMODE=allow is not supported"),
      (["PGSSLMODE": "verify-full"], "PGSSLMODE=verify-full needs sslrootcert"),
      (["PGHOST": "/tmp"], "the host /tmp (from PGHOST) is a Unix-domain socket"),
      (["PGHOST": "a,b"], "several hosts (from PGHOST) are not supported"),
    ] {
      do {
        _ = try read("postgresql://", environment)
        Issue.record("\(environment) was accepted")
      } catch {
        #expect(error.message.contains(fragment), "\(error.message)")
      }
    }
  }
}
