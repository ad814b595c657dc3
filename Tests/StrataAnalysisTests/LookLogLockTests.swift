import Foundation
import StrataAnalysis
import Synchronization
import Testing

@Suite("Look log lock")
struct LookLogLockTests {
  private static func record(look: Int, writer: Int) -> LookRecord {
    LookRecord(
      look: look, timestamp: "2026-01-01T00:00:00Z", fingerprint: "writer\(writer)-look\(look)", rowsUsed: look,
      unitsPerVariant: ["control": look], informationFraction: nil, comparisons: [], action: "continue")
  }

  @Test("two writers racing on read-decide-append lose no look")
  func racingWritersKeepEveryLook() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("strata-looklock-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent("data.csv.looks.jsonl")
    let perWriter = 8
    let failures = Mutex<[String]>([])
    // Each writer reads the log, waits a moment (widening the window a lost update needs), then appends the
    // next look number: without the lock both writers would take the same number and one line would vanish.
    DispatchQueue.concurrentPerform(iterations: 2) { writer in
      for _ in 0..<perWriter {
        do {
          try LookLogLock.withLock(url) {
            let log = try LookLog(url: url)
            let next = (try log.list().map(\.look).max() ?? 0) + 1
            Thread.sleep(forTimeInterval: 0.002)
            try log.append(Self.record(look: next, writer: writer))
          }
        } catch {
          failures.withLock { $0.append("\(error)") }
        }
      }
    }
    #expect(failures.withLock { $0 } == [])
    let log = try LookLog(url: url)
    let records = try log.history()
    #expect(records.count == 2 * perWriter)
    #expect(records.map(\.look) == Array(1...(2 * perWriter)))
    #expect(Set(records.map(\.fingerprint)).count == 2 * perWriter)
    #expect(FileManager.default.fileExists(atPath: LookLogLock.lockURL(for: url).path))
  }

  @Test("the lock is exclusive: a second holder waits until the first releases it")
  func secondHolderWaits() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("strata-looklock-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent("log.jsonl")
    let events = Mutex<[String]>([])
    // The second holder asks for the lock once the first has entered (a head start of 10 ms was not an order: on a
    // loaded machine the first thread could be descheduled that long before entering). Indices are claimed in order, so
    // whichever thread runs index 1, index 0 has been claimed by a running thread or has finished.
    let entered = DispatchSemaphore(value: 0)
    DispatchQueue.concurrentPerform(iterations: 2) { index in
      if index == 1 { _ = entered.wait(timeout: .now() + 60) }
      try? LookLogLock.withLock(url) {
        events.withLock { $0.append("enter\(index)") }
        if index == 0 { entered.signal() }
        Thread.sleep(forTimeInterval: index == 0 ? 0.05 : 0)
        events.withLock { $0.append("leave\(index)") }
      }
    }
    #expect(events.withLock { $0 } == ["enter0", "leave0", "enter1", "leave1"])
  }

  @Test("an unusable lock location is a DataError naming the lock file")
  func unusableLockLocation() throws {
    let url = URL(fileURLWithPath: "/proc/strata-no-such-dir/data.looks.jsonl")
    #expect(throws: DataError.self) { try LookLogLock.withLock(url) {} }
  }
}
