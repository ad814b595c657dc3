import Foundation
import Synchronization

/// Notes about files that the user should hear of but that do not stop the run.
///
/// For example: a partial file left by a killed run was removed. By default each is one line on standard error,
/// `strata: note: …`; a host such as a server
/// replaces the handler to log them its own way.
public enum FileNotices {
  private static let handler = Mutex<@Sendable (String) -> Void>({ message in
    FileHandle.standardError.write(Data("strata: note: \(message)\n".utf8))
  })

  /// Delivers one note.
  public static func post(_ message: String) {
    let current = handler.withLock { $0 }
    current(message)
  }

  /// Replaces the handler (for every later note, from every thread).
  public static func setHandler(_ newHandler: @escaping @Sendable (String) -> Void) {
    handler.withLock { $0 = newHandler }
  }
}
