import Foundation
import StrataTestSupport
import Testing

@testable import StrataAnalysis

#if canImport(Glibc)
  import Glibc
#endif

/// Several pipes given as `--data` are opened and read in turn, so one writer can fill them one after the other.
@Suite("Pipes read in turn")
struct PipesInTurnTests {
  /// Two named pipes in a fresh directory, and a thread that writes `first` into the first, then `second` into the
  /// second, each once a reader opens it: a writer that fills the pipes in turn, as `(cat a > fa; cat b > fb) &`.
  ///
  /// If the read has not ended after a minute (`done` not signalled), the first pipe is drained so that the writer,
  /// and with it the read, can go on: the test then fails (`stalled`) rather than hanging.
  final class Writer: @unchecked Sendable {
    let paths: [String]
    let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var drained = false
    var stalled: Bool { lock.withLock { drained } }

    init(_ first: String, _ second: String) throws {
      let directory = try makeTemporaryDirectory("strata-fifos")
      paths = ["a.csv", "b.csv"].map { directory.appendingPathComponent($0).path }
      for path in paths { #expect(mkfifo(path, 0o600) == 0) }
      let paths = paths
      Thread {
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &blocked, nil)  // a reader that stops early: EPIPE, not the end of the tests
        for (path, text) in zip(paths, [first, second]) {
          let handle = FileHandle(forWritingAtPath: path)
          try? handle?.write(contentsOf: Data(text.utf8))
          try? handle?.close()
        }
      }.start()
      Thread { [self] in
        guard done.wait(timeout: .now() + 60) == .timedOut else { return }
        lock.withLock { drained = true }
        let source = open(paths[0], O_RDONLY)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while source >= 0 && read(source, &buffer, buffer.count) > 0 {}
        if source >= 0 { _ = close(source) }
      }.start()
    }
  }

  @Test(
    "two pipes filled in turn by one writer are read in turn, with and without the duplicate check: the files' summary",
    arguments: [1, 2], [true, false])
  func twoPipesFilledInTurn(threads: Int, checkDuplicates: Bool) throws {
    let text = ChunkedReadTests.messyCSV(rows: 16000, seed: 44, quoted: true)
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let header = lines.removeFirst()
    let half = lines.count / 2
    let first = ([header] + lines[..<half]).joined(separator: "\n") + "\n"
    let second = ([header] + lines[half...]).joined(separator: "\n")
    // More than a pipe's buffer (64 KiB): the writer waits on the first pipe until it is read.
    #expect(first.utf8.count > 1 << 17 && second.utf8.count > 1 << 17)
    var options = PipeChunksTests.options(chunkSize: 4096, threads: threads)
    options.checkDuplicates = checkDuplicates
    let files = try DataReader.read(
      paths: [CellSourcesTests.write(first, name: "a.csv"), CellSourcesTests.write(second, name: "b.csv")],
      plan: PipeChunksTests.plan, options: options)
    let writer = try Writer(first, second)
    defer { writer.done.signal() }
    let pipes = try DataReader.read(paths: writer.paths, plan: PipeChunksTests.plan, options: options)
    let context = "\(threads) threads, check \(checkDuplicates)"
    #expect(!writer.stalled, "\(context): the second pipe was opened before the first was read")
    PipeChunksTests.expectSame(pipes, files, context)
    #expect(pipes.files == writer.paths, "\(context)")
    PipeChunksTests.expectNoSpoolLeft(options, context)
  }
}
