import Foundation

/// The package root (the directory holding `Package.swift`) above `filePath`.
public func packageRootURL(filePath: String = #filePath) -> URL {
  var root = URL(fileURLWithPath: filePath)
  while root.path != "/" {
    root.deleteLastPathComponent()
    if FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) { return root }
  }
  return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
}

/// Runs `executable` with `arguments` (no stdin; `environment` replaces this process's environment when
/// given) and waits for it, capturing both outputs.
public func runProcess(
  _ executable: String, _ arguments: [String], currentDirectory: URL? = nil, environment: [String: String]? = nil
) throws -> StrataRun {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = arguments
  if let currentDirectory { process.currentDirectoryURL = currentDirectory }
  if let environment { process.environment = environment }
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  process.standardInput = FileHandle.nullDevice
  try process.run()
  // Drain stderr on another thread while stdout is read here, so neither pipe can fill up and block.
  let errBox = DataBox()
  let group = DispatchGroup()
  group.enter()
  DispatchQueue.global().async {
    errBox.data = err.fileHandleForReading.readDataToEndOfFile()
    group.leave()
  }
  let outData = out.fileHandleForReading.readDataToEndOfFile()
  group.wait()
  process.waitUntilExit()
  return StrataRun(
    status: process.terminationStatus,
    stdout: String(decoding: outData, as: UTF8.self),
    stderr: String(decoding: errBox.data, as: UTF8.self))
}

/// Holds the bytes read on the stderr thread until the caller has waited for it.
private final class DataBox: @unchecked Sendable {
  var data = Data()
}
