import Synchronization

/// Group commit: batches that arrive while a transaction is being written wait and are then written together, in
/// one transaction, by one writer.
///
/// A request's answer waits until the transaction holding its batch has committed, so a 2xx always means stored.
/// Under load each commit (and its fsync) carries many batches; idle, a batch is written at once. When a group
/// fails, each of its batches is tried again in a transaction of its own, so one batch's failure never fails
/// another's; a batch is never half-written.
final class IngestQueue: Sendable {
  private struct Job {
    var batch: IngestBatch
    var plans: LivePlans
    var consent: ConsentCheck
    var continuation: CheckedContinuation<IngestOutcome, any Error>
  }

  private struct State {
    var jobs: [Job] = []
    var writing = false
  }

  /// The most items one transaction carries (bounds its size and the wait of the first batch in it).
  static let maximumItemsPerTransaction = 20_000

  private let store: any ServiceStore
  private let state = Mutex(State())
  /// Transactions written and batches carried (for `/metrics` and tests).
  let transactions = Atomic<Int>(0)
  let batches = Atomic<Int>(0)

  init(store: any ServiceStore) { self.store = store }

  /// Writes `batch` (with whatever else is waiting) and returns once it is committed.
  ///
  /// `plans`: the live plans of the catalog being served (the running totals they keep are updated in the same
  /// transaction). `consent`: the keyed hashes of the batch's units, made by the caller (their consent is checked in the
  /// transaction).
  func write(_ batch: IngestBatch, plans: LivePlans, consent: ConsentCheck) async throws -> IngestOutcome {
    try await withCheckedThrowingContinuation { continuation in
      let startsWriter = state.withLock { state in
        state.jobs.append(Job(batch: batch, plans: plans, consent: consent, continuation: continuation))
        guard !state.writing else { return false }
        state.writing = true
        return true
      }
      if startsWriter { Task { await self.drain() } }
    }
  }

  /// Writes groups until nothing waits.
  private func drain() async {
    while true {
      let group = state.withLock { state -> [Job] in
        var items = 0
        var count = 0
        while count < state.jobs.count
          && (count == 0 || items + state.jobs[count].batch.count <= Self.maximumItemsPerTransaction)
        {
          items += state.jobs[count].batch.count
          count += 1
        }
        let group = Array(state.jobs.prefix(count))
        state.jobs.removeFirst(count)
        if group.isEmpty { state.writing = false }
        return group
      }
      if group.isEmpty { return }
      await commit(group)
    }
  }

  private func commit(_ group: [Job]) async {
    do {
      let consent = ConsentCheck.merged(group.map(\.consent))
      let outcomes = try await store.ingest(
        group.map(\.batch), plans: group[group.count - 1].plans, consent: consent)
      transactions.add(1, ordering: .relaxed)
      batches.add(group.count, ordering: .relaxed)
      for (job, outcome) in zip(group, outcomes) { job.continuation.resume(returning: outcome) }
    } catch {
      guard group.count > 1 else {
        group[0].continuation.resume(throwing: error)
        return
      }
      for job in group { await commit([job]) }
    }
  }
}
