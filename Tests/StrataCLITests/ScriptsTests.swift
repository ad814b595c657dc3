import Foundation
import StrataTestSupport
import Testing

/// The repository's shell scripts: one shared build, and dependency checks that say what failed.
@Suite("Scripts")
struct ScriptsTests {
  private let root = packageRootURL()

  @Test("main.sh, test.sh and examples.sh build through Scripts/build.sh (one build, no rebuild between them)")
  func oneSharedBuild() throws {
    for script in ["main.sh", "test.sh", "examples.sh"] {
      let text = try String(contentsOf: root.appendingPathComponent("Scripts/\(script)"), encoding: .utf8)
      let commands = text.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }
      #expect(commands.contains { $0.contains("Scripts/build.sh") }, "\(script) does not call Scripts/build.sh")
      #expect(!commands.contains { $0.contains("swift build") }, "\(script) runs its own `swift build`")
    }
    let build = try String(contentsOf: root.appendingPathComponent("Scripts/build.sh"), encoding: .utf8)
    #expect(build.contains("swift build --build-tests"))
  }

  /// Stubs `id` (not root), `sudo` (which resets the environment, as the real one does), `apt-get`
  /// (records the DEBIAN_FRONTEND it sees) and `pkg-config` (GSL never appears), then runs ensure-deps.sh.
  @Test("ensure-deps.sh keeps DEBIAN_FRONTEND through sudo and says what failed and what to run")
  func ensureDepsExplainsFailure() throws {
    let stubs = try makeTemporaryDirectory("strata-deps")
    defer { try? FileManager.default.removeItem(at: stubs) }
    let record = stubs.appendingPathComponent("apt.log").path
    let scripts = [
      "id": "#!/bin/sh\necho 1000\n",
      "sudo": "#!/bin/sh\nexec /usr/bin/env -i PATH=\"$PATH\" \"$@\"\n",
      "apt-get": "#!/bin/sh\necho \"DEBIAN_FRONTEND=$DEBIAN_FRONTEND $*\" >> '\(record)'\nexit 0\n",
      "pkg-config": "#!/bin/sh\nexit 1\n",
    ]
    for (name, text) in scripts {
      let path = stubs.appendingPathComponent(name).path
      try text.write(toFile: path, atomically: true, encoding: .utf8)
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }
    let run = try runExecutable(
      URL(fileURLWithPath: "/bin/bash"), [root.appendingPathComponent("Scripts/ensure-deps.sh").path],
      environment: ["PATH": "\(stubs.path):/usr/bin:/bin", "HOME": stubs.path])
    #expect(run.status == 1)
    #expect(run.stderr.contains("still missing"), "stderr: \(run.stderr)")
    #expect(run.stderr.contains("pkg-config --exists gsl"))
    #expect(run.stderr.contains("apt-get install -y libgsl-dev"))
    let calls = try String(contentsOfFile: record, encoding: .utf8).split(separator: "\n")
    #expect(calls.contains { $0.hasPrefix("DEBIAN_FRONTEND=noninteractive") && $0.contains("install") })
    #expect(calls.allSatisfy { $0.hasPrefix("DEBIAN_FRONTEND=noninteractive") }, "\(calls)")
  }
}
