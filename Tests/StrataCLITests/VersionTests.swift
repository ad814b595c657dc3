import StrataTestSupport
import Testing

@Suite("strata executable")
struct VersionTests {
  @Test("prints its version and exits 0; an unknown command is a usage error (64)")
  func versionAndUsage() throws {
    let version = try runStrata(["--version"])
    #expect(version.status == 0)
    #expect(version.stdout.contains("0.1.0"))
    let unknown = try runStrata(["no-such-command"])
    #expect(unknown.status == 64)
    #expect(!unknown.stderr.isEmpty)
  }
}
