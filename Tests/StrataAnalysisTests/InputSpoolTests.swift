import Foundation
import Testing

@testable import StrataAnalysis

#if canImport(Glibc)
  import Glibc
#endif

/// The pipe's temporary copy when it cannot be used to the end: a stopped copy is freed once read back, and a
/// system without `/proc/self/fd` is told apart from a bad `$TMPDIR`.
@Suite("A pipe's temporary copy, stopped or not made")
struct InputSpoolTests {
  @Test("a stopped copy is read back first, then emptied and let go before the rest of the pipe is read")
  func stoppedCopyIsFreed() throws {
    let directory = PipeChunksTests.spoolDirectory()
    defer { _ = rmdir(directory) }
    let spool = try InputSpool(name: "-", directory: directory)
    let copied = Array("unit,arm,revenue\nu1,control,2.5\n".utf8)
    let failure = copied.withUnsafeBufferPointer { spool.append($0.baseAddress!, count: $0.count) }
    #expect(failure == nil)
    var ends: [Int32] = [0, 0]
    try #require(pipe(&ends) == 0)
    _ = close(ends[1])
    let leftover = Array("u2,treat".utf8)
    let prefix = ReadPrefix(source: ends[0], spool: spool, leftover: leftover)
    func size() -> Int {
      var info = stat()
      return fstat(spool.descriptor, &info) == 0 ? Int(info.st_size) : -1
    }
    var read: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 10)
    var sizes: [Int] = []
    while let count = buffer.withUnsafeMutableBufferPointer({ prefix.read(into: $0.baseAddress!, count: 10) }) {
      try #require(count > 0)
      read += buffer[..<count]
      sizes.append(size())
    }
    #expect(read == copied + leftover)
    // 32 copied bytes in reads of 10, 10, 10, 2: the copy whole until then; emptied before the leftover's 8 bytes.
    #expect(sizes == [32, 32, 32, 32, 0], "\(sizes)")
  }

  @Test("no descriptor directory (no /proc): its own reason, before any temporary file is made, and the note says so")
  func noDescriptorDirectory() throws {
    let directory = PipeChunksTests.spoolDirectory()
    defer { _ = rmdir(directory) }
    #expect(throws: InputSpool.SpoolFailure.noDescriptorPaths("/nonexistent/fd", ENOENT)) {
      try InputSpool(name: "-", directory: directory, descriptors: "/nonexistent/fd")
    }
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("strata-not-a-directory-\(UUID())").path
    try "x\n".write(toFile: file, atomically: true, encoding: .utf8)
    defer { _ = unlink(file) }
    #expect(throws: InputSpool.SpoolFailure.noDescriptorPaths(file, ENOTDIR)) {
      try InputSpool(name: "-", directory: directory, descriptors: file)
    }
    #expect(
      InputSpool.SpoolFailure.noDescriptorPaths("/proc/self/fd", ENOENT).note(name: "-", directory: "/tmp")
        == "<stdin>: /proc/self/fd is not available (No such file or directory), so no temporary copy is made and duplicate units are checked in memory as the rows arrive (about 11–21 bytes per unit)"
    )
    #expect(
      InputSpool.SpoolFailure.errno(ENOENT).note(name: "-", directory: "/tmp/missing")
        == "<stdin>: no temporary copy could be made in /tmp/missing (No such file or directory), so duplicate units are checked in memory as the rows arrive (about 11–21 bytes per unit); set TMPDIR to a writable directory with room for the data"
    )
  }

  @Test("without a descriptor directory a pipe is read row by row, with the file's summary and no copy")
  func pipeWithoutDescriptorDirectory() throws {
    let (label, text) = PipeChunksTests.texts[0]
    let path = try CellSourcesTests.write(text)
    var options = PipeChunksTests.options(chunkSize: 1000, threads: 2)
    options.descriptorDirectory = "/nonexistent/fd"
    let file = try DataReader.read(paths: [path], plan: PipeChunksTests.plan, options: options)
    let pipe = try PipeChunksTests.readPiped(text, plan: PipeChunksTests.plan, options: options)
    PipeChunksTests.expectSame(pipe, file, label)
    #expect(pipe.spooledBytes == 0)
    PipeChunksTests.expectNoSpoolLeft(options, label)
  }
}
