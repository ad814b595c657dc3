import ArgumentParser
import Foundation
import StrataServer

/// `strata keys`: API keys for `strata serve`.
struct Keys: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "keys",
    abstract: "API keys for strata serve (the file stores only their SHA-256).",
    subcommands: [KeysNew.self])
}

/// An API key role as a command-line value (anything else is a usage error, exit 64).
extension APIKeyRole: ExpressibleByArgument {
  public init?(argument: String) { self.init(rawValue: argument) }
  public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

/// `strata keys new`: makes a key, records its hash, prints the key once.
struct KeysNew: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "new",
    abstract: "Make a new API key: prints it once (alone on the last line) and records only its hash.",
    discussion: """
      Roles: client (bulk OFREP evaluation only: browsers and mobile apps), server (single and bulk \
      evaluation, /v1/assign, POST /v1/exposures and /v1/events), viewer (the catalog and live results), \
      admin (everything, and recording planned looks). A running strata serve picks up the changed file \
      within a second. --expose: the key's single-flag evaluations log the unit's exposure.

      Examples:
        strata keys new --role server --name checkout-backend \\
          --keys reports/new-keys.jsonl
        strata keys new --role client --name web-app \\
          --keys reports/new-keys.jsonl
      """)

  @Option(help: "client, server, viewer or admin.")
  var role: APIKeyRole

  @Option(help: "A name for the key (letters, digits, _, -, .), unique in the file.")
  var name: String

  @Option(help: "The keys file (JSON lines; created if missing).")
  var keys: String

  @Flag(help: "Log an exposure for every single-flag OFREP evaluation made with this key (as ?expose=true does).")
  var expose = false

  func run() throws {
    let key: String
    do {
      key = try KeyFile.addKey(name: name, role: role, expose: expose, to: URL(fileURLWithPath: keys))
    } catch {
      printError("strata: error: \(error)")
      throw ExitCode(1)
    }
    print("New \(role.rawValue) key \"\(name)\" recorded in \(keys) (only its SHA-256 is stored; it is shown once):")
    print(key)
  }
}
