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
