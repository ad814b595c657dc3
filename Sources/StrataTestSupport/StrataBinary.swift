import Foundation

/// Runs the built `strata` executable and captures what it printed, for CLI tests.
public struct StrataRun: Sendable {
  public var status: Int32
  public var stdout: String
  public var stderr: String

  /// Parses stdout as one JSON object.
  public func json() throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] else {
      throw FixtureError.missing("stdout is not a JSON object: \(stdout)")
    }
    return object
  }
}

/// Locates the `strata` executable: `$STRATA_BIN`, else beside the running test bundle, else
/// `.build/debug/strata` under the package root.
public func strataExecutableURL(filePath: String = #filePath) -> URL {
  if let path = ProcessInfo.processInfo.environment["STRATA_BIN"] {
    return URL(fileURLWithPath: path)
  }
  let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
  for candidate in [here, here.deletingLastPathComponent()] {
    let url = candidate.appendingPathComponent("strata")
    if FileManager.default.isExecutableFile(atPath: url.path) { return url }
  }
  var root = URL(fileURLWithPath: filePath)
  while root.path != "/" {
    root.deleteLastPathComponent()
    if FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) { break }
  }
  return root.appendingPathComponent(".build/debug/strata")
}

/// Runs `strata` with `arguments` (no stdin; `environment` adds to or overrides this process's) and
/// waits for it.
///
/// `standardOutput` (a path such as `/dev/full`) replaces the captured stdout.
public func runStrata(
  _ arguments: [String], currentDirectory: URL? = nil, environment: [String: String] = [:],
  standardOutput: String? = nil
) throws -> StrataRun {
  try runExecutable(
    strataExecutableURL(), arguments, currentDirectory: currentDirectory, environment: environment,
    standardOutput: standardOutput)
}

/// Runs `executable` with `arguments` (no stdin) and captures both outputs (stdout is empty when it goes to
/// the file `standardOutput` instead).
///
/// Stdout and stderr are drained at the same time (stderr on a second thread): reading one to its end
/// first would deadlock once the child fills the other pipe's buffer (64 KiB on Linux) and blocks.
public func runExecutable(
  _ executable: URL, _ arguments: [String], currentDirectory: URL? = nil, environment: [String: String] = [:],
  standardOutput: String? = nil
) throws -> StrataRun {
  let process = Process()
  process.executableURL = executable
  process.arguments = arguments
  if let currentDirectory { process.currentDirectoryURL = currentDirectory }
  if !environment.isEmpty {
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, added in added }
  }
  let out = Pipe()
  let err = Pipe()
  if let standardOutput {
    guard let file = FileHandle(forWritingAtPath: standardOutput) else {
      throw FixtureError.missing("cannot open \(standardOutput) for writing")
    }
    process.standardOutput = file
  } else {
    process.standardOutput = out
  }
  process.standardError = err
  process.standardInput = FileHandle.nullDevice
  try process.run()
  if standardOutput != nil { try out.fileHandleForWriting.close() }
  let errReader = PipeDrain(err.fileHandleForReading)
  let outData = out.fileHandleForReading.readDataToEndOfFile()
  let errData = errReader.wait()
  process.waitUntilExit()
  return StrataRun(
    status: process.terminationStatus,
    stdout: String(decoding: outData, as: UTF8.self),
    stderr: String(decoding: errData, as: UTF8.self))
}

/// Reads a file handle to its end on its own thread; `wait()` returns what was read.
private final class PipeDrain: @unchecked Sendable {
  // Written once by the reading thread before `finished` is signalled, read only after it.
  private var data = Data()
  private let finished = DispatchSemaphore(value: 0)

  init(_ handle: FileHandle) {
    Thread.detachNewThread { [self] in
      data = handle.readDataToEndOfFile()
      finished.signal()
    }
  }

  func wait() -> Data {
    finished.wait()
    return data
  }
}
