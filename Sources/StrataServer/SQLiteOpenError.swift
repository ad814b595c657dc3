import Foundation
import GRDB

/// An SQLite database file that cannot be opened, in one sentence naming the file (GRDB's own message names the
/// statement it was running, `SQLite error 26: file is not a database - while executing PRAGMA ...`, not the file).
public struct SQLiteOpenError: Error, CustomStringConvertible, Sendable {
  public var description: String

  /// Runs `body`, which opens `path`; an SQLite error becomes one sentence naming `path` and why.
  static func opening<T>(_ path: String, _ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let error as DatabaseError {
      var isDirectory: ObjCBool = false
      let reason: String
      if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
        reason = "it is a directory, not a database file"
      } else if error.resultCode == .SQLITE_NOTADB {
        reason = "it is not an SQLite database"
      } else {
        reason = "SQLite: \(error.message ?? "error \(error.resultCode.rawValue)")"
      }
      throw SQLiteOpenError(description: "\(path): cannot open the database (\(reason))")
    }
  }
}
