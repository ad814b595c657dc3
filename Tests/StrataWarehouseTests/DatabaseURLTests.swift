import Testing

@testable import StrataWarehouse

@Suite struct DatabaseURLTests {
  @Test func partsAreReadAsLibpqReadsThem() throws {
    let url = try DatabaseURL("postgresql://ana%40crm:p%40ss%20w@db.example:6543/crm%20prod?sslmode=verify-full")
    #expect(url.user == "ana@crm")
    #expect(url.password == "p@ss w")
    #expect(url.host == "db.example")
    #expect(url.port == 6543)
    #expect(url.database == "crm prod")
    #expect(url.tlsMode == .verifyFull)
    let short = try DatabaseURL("postgres://[::1]/db", environment: ["PGUSER": "ops", "PGPASSWORD": "pw"])
    #expect(short.host == "::1")
    #expect(short.port == 5432)
    #expect(short.user == "ops")
    #expect(short.password == "pw")
    #expect(short.tlsMode == .prefer)
    #expect(short.description == "postgresql://ops@[::1]:5432/db")
  }

  @Test func thePasswordIsNeverShown() throws {
    let url = try DatabaseURL("postgresql://ana:hunter2@h:1/d")
    #expect(!url.description.contains("hunter2"))
    #expect(!"\(url)".contains("hunter2"))
  }

  @Test func badURLsAreOneSentenceWithoutThePassword() {
    for text in [
      "mysql://u@h/d", "postgresql://u@h", "postgresql://u@h/", "postgresql://u:secret@:5432/d",
      "postgresql://u:secret@h:0/d", "postgresql://u:secret@h:x/d", "postgresql://u:secret@[::1/d",
      "postgresql://u:secret@h/d?sslmode=always", "postgresql://u:secret@h/d?application_name=x",
      "postgresql://u:%zz@h/d", "postgresql://h/d",
    ] {
      do {
        _ = try DatabaseURL(text, environment: [:])
        Issue.record("\(text) was accepted")
      } catch {
        #expect(error.message.hasPrefix("--database must be postgresql://"), "\(text)")
        #expect(!error.message.contains("secret"), "\(text)")
        #expect(!error.message.contains("\n"))
      }
    }
  }
}
