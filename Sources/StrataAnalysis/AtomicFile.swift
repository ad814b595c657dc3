import Foundation

/// Writes whole files through ``AtomicFileWriter``: a regular file is replaced atomically (temporary file +
/// rename, keeping its permissions), a device, FIFO or standard stream is written in place.
public enum AtomicFile {
  /// Writes `data` to `url`, creating the parent directory if needed.
  public static func write(_ data: Data, to url: URL) throws(FileWriteError) {
    try write([(data, url)])
  }

  /// Writes `text` as UTF-8 to `url`.
  public static func write(_ text: String, to url: URL) throws(FileWriteError) {
    try write(Data(text.utf8), to: url)
  }

  /// Writes several files as one set: all temporary files are written before any is renamed, so a failure
  /// (a full disk between two files) leaves every old file in place (``AtomicFileWriter/commit(_:)``).
  public static func write(_ files: [(data: Data, url: URL)]) throws(FileWriteError) {
    var writers: [AtomicFileWriter] = []
    for (data, url) in files {
      let writer = try AtomicFileWriter(path: url.path, bufferSize: max(1, min(data.count, 1 << 20)))
      var offset = 0
      while offset < data.count {
        let end = min(data.count, offset + (1 << 16))
        data[data.startIndex + offset..<data.startIndex + end].withUnsafeBytes { writer.append($0) }
        try writer.flushIfNeeded()
        offset = end
      }
      writers.append(writer)
    }
    try AtomicFileWriter.commit(writers)
  }
}
