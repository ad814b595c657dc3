import Foundation

extension ChunkedUnitReader {
  /// Starts the worker threads (none for one thread or one chunk).
  func start() {
    guard workers > 0 else { return }
    condition.lock()
    running = workers
    condition.unlock()
    for _ in 0..<workers {
      let thread = Thread { [self] in work() }
      thread.name = "strata-read"
      thread.start()
    }
  }

  /// Stops the workers after the chunks they are reading and waits until every one has returned.
  ///
  /// Calling it again does nothing.
  func stop() {
    condition.lock()
    cancelled = true
    condition.broadcast()
    while running > 0 { condition.wait() }
    firstPasses.removeAll()
    condition.unlock()
  }

  /// Adds a pipe's next chunk, held in `buffer` (`PipeChunks.next()`), for the workers; `last` when no chunk follows.
  func add(chunk range: Range<Int>, in buffer: PipeChunks.Buffer, last: Bool) {
    condition.lock()
    chunks.append(range)
    buffers[chunks.count - 1] = buffer
    if last { chunksKnown = true }
    condition.broadcast()
    condition.unlock()
  }

  /// No chunk follows those added (the pipe ended, or its read stopped).
  func endChunks() {
    condition.lock()
    chunksKnown = true
    condition.broadcast()
    condition.unlock()
  }

  /// Chunk `index`'s result: waits for the worker reading it, or reads it here when there are no workers.
  ///
  /// Chunks are taken in order, each once.
  func take(_ index: Int) -> ChunkResult {
    guard workers > 0 else { return scan(index) }
    condition.lock()
    defer { condition.unlock() }
    if index + 2 * workers > startLimit {
      startLimit = index + 2 * workers
      condition.broadcast()
    }
    while firstPasses[index] == nil { condition.wait() }
    guard let result = firstPasses.removeValue(forKey: index) else { preconditionFailure("waited for chunk") }
    return result
  }

  /// A worker: reads the next chunk within the limit until none is left or the read stops.
  private func work() {
    condition.lock()
    while true {
      while !cancelled && (nextChunk < chunks.count ? nextChunk >= startLimit : !chunksKnown) { condition.wait() }
      if cancelled || nextChunk >= chunks.count { break }
      let index = nextChunk
      nextChunk += 1
      condition.unlock()
      let result = scan(index)
      condition.lock()
      if !cancelled { firstPasses[index] = result }
      condition.broadcast()
    }
    running -= 1
    condition.broadcast()
    condition.unlock()
  }
}
