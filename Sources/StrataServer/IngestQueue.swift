import Synchronization

/// Group commit: batches that arrive while a transaction is being written wait and are then written together, in
/// one transaction, by one writer.
///
/// A request's answer waits until the transaction holding its batch has committed, so a 2xx always means stored.
/// Under load each commit (and its fsync) carries many batches; idle, a batch is written at once. When a group
/// fails, each of its batches is tried again in a transaction of its own, so one batch's failure never fails
/// another's; a batch is never half-written.
///
/// A request that is cancelled (its `--request-timeout` passed, or it is being cut short) stops waiting at once: a
/// batch still queued is dropped, never written; one in the transaction being written may or may not be stored (the
/// answer's sentence says so), and once no request waits for that transaction any more it is cancelled, which closes
/// its connection (``PostgresStore/withConnection(_:)``): a database that stopped answering holds up neither the
/// requests nor the batches after them.
final class IngestQueue: Sendable {
  private struct Job {
    var id: UInt64
    var batch: IngestBatch
    var plans: LivePlans
    var consent: ConsentCheck
  }

  /// The transaction being written: the jobs it carries and the task writing it.
  private struct Commit {
    var jobs: [UInt64]
    var task: Task<[IngestOutcome], any Error>
  }

  private struct State {
    var jobs: [Job] = []
    var writing = false
    var nextID: UInt64 = 0
    /// The requests still waiting for their job (queued or being written), by job; each is resumed exactly once, by
    /// whoever removes it from here.
    var waiting: [UInt64: CheckedContinuation<IngestOutcome, any Error>] = [:]
    var commit: Commit?
  }

  /// The most items one transaction carries (bounds its size and the wait of the first batch in it).
  static let maximumItemsPerTransaction = 20_000

  private let store: any ServiceStore
  private let state = Mutex(State())
  /// Transactions written and batches carried (for `/metrics` and tests).
  let transactions = Atomic<Int>(0)
  let batches = Atomic<Int>(0)

  init(store: any ServiceStore) { self.store = store }

  /// Writes `batch` (with whatever else is waiting) and returns once it is committed; throws `CancellationError` at
  /// once when the calling task is cancelled (the batch may then be stored or not).
  ///
  /// `plans`: the live plans of the catalog being served (the running totals they keep are updated in the same
  /// transaction). `consent`: the keyed hashes of the batch's units, made by the caller (their consent is checked in the
  /// transaction).
  func write(_ batch: IngestBatch, plans: LivePlans, consent: ConsentCheck) async throws -> IngestOutcome {
    let id = state.withLock { state in
      defer { state.nextID += 1 }
      return state.nextID
    }
    return try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { continuation in
        // Checked under the lock: a cancellation after it finds the job registered (its handler takes the lock).
        let (registered, startsWriter) = state.withLock { state -> (Bool, Bool) in
          guard !Task.isCancelled else { return (false, false) }
          state.waiting[id] = continuation
          state.jobs.append(Job(id: id, batch: batch, plans: plans, consent: consent))
          guard !state.writing else { return (true, false) }
          state.writing = true
          return (true, true)
        }
        guard registered else { return continuation.resume(throwing: CancellationError()) }
        if startsWriter { Task { await self.drain() } }
      }
    } onCancel: {
      abandon(id)
    }
  }

  /// The request of job `id` stops waiting: its job leaves the queue if still there, and the transaction being written
  /// is cancelled when it carried that job and no other request waits for it.
  private func abandon(_ id: UInt64) {
    let (continuation, commit) = state.withLock {
      state -> (CheckedContinuation<IngestOutcome, any Error>?, Task<[IngestOutcome], any Error>?) in
      guard let continuation = state.waiting.removeValue(forKey: id) else { return (nil, nil) }
      state.jobs.removeAll { $0.id == id }
      guard let commit = state.commit, commit.jobs.contains(id),
        !commit.jobs.contains(where: { state.waiting[$0] != nil })
      else { return (continuation, nil) }
      return (continuation, commit.task)
    }
    continuation?.resume(throwing: CancellationError())
    commit?.cancel()
  }

  /// Resumes the request of job `id` with `result`, unless it stopped waiting.
  private func answer(_ id: UInt64, _ result: Result<IngestOutcome, any Error>) {
    state.withLock { $0.waiting.removeValue(forKey: id) }?.resume(with: result)
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
    let store = self.store
    let task = Task {
      let consent = ConsentCheck.merged(group.map(\.consent))
      return try await store.ingest(group.map(\.batch), plans: group[group.count - 1].plans, consent: consent)
    }
    let abandoned = state.withLock { state in
      state.commit = Commit(jobs: group.map(\.id), task: task)
      return !group.contains { state.waiting[$0.id] != nil }
    }
    if abandoned { task.cancel() }  // every request stopped waiting before the transaction was registered
    let result = await task.result
    state.withLock { $0.commit = nil }
    switch result {
    case .success(let outcomes):
      transactions.add(1, ordering: .relaxed)
      batches.add(group.count, ordering: .relaxed)
      for (job, outcome) in zip(group, outcomes) { answer(job.id, .success(outcome)) }
    case .failure(let error):
      guard group.count > 1 else { return answer(group[0].id, .failure(error)) }
      // Each batch alone, for the requests that still wait.
      for job in group where state.withLock({ $0.waiting[job.id] != nil }) { await commit([job]) }
    }
  }
}
