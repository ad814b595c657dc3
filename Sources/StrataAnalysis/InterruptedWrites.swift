import Synchronization

#if canImport(Glibc)
  @preconcurrency import Glibc
#elseif canImport(Darwin)
  @preconcurrency import Darwin
#endif

/// Temporary files of ``AtomicFileWriter`` removed when Ctrl-C (SIGINT), SIGTERM or SIGHUP ends the process
/// mid-write, so an interrupted command leaves the destination as it was and no partial `.NAME.PID.tmp` beside it.
///
/// The handler is installed with the first temporary file (after its slot is filled), only for a signal whose disposition is still the
/// default (a signal ignored, as for a background job or under `nohup`, or handled by someone else, as by the
/// service, is left alone). It unlinks the registered paths (`unlink` is async-signal-safe; the paths are C
/// strings made beforehand, in slots it reads without a lock), restores the default disposition and raises the
/// signal again, so the process still ends by that signal (status 130 after Ctrl-C in a shell). A file that
/// does not fit in the slots (more than 64 open at once) is still removed by the next run (``AtomicFileWriter``).
///
/// A handler may run on another thread while ``unregister(_:)`` runs, and may already hold a slot's pointer
/// when the slot is emptied; freeing the string then would let it unlink whatever the freed memory came to
/// hold. So the handler first sets `interrupted`, and `unregister` empties the slot before it reads that flag
/// (both sequentially consistent, a fence on each side): either the handler sees the slot empty, or
/// `unregister` sees the flag and leaves the string allocated (the process is ending by the signal; it is
/// never freed). A handler that starts does not return: it raises the signal with its default disposition.
enum InterruptedWrites {
  private static let slotCount = 64
  /// The registered paths (nil: a free slot); written only while holding `lock`, read by the handler.
  nonisolated(unsafe) private static let slots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
    let slots = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: slotCount)
    slots.initialize(repeating: nil, count: slotCount)
    return slots
  }()
  /// Whether the handlers were installed (they stay).
  private static let lock = Mutex(false)
  private static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]
  /// Set by the handler before it reads a slot: from then on no registered string is freed.
  private static let interrupted = Atomic<Bool>(false)

  /// Registers `path` for removal on an interrupting signal; returns its slot for ``unregister(_:)``, nil when
  /// every slot is taken.
  ///
  /// Everything the handler reads is a lazily initialised static (`slots`, `interrupted`, `slotCount`: Swift
  /// initialises one at its first use, under a once-lock, allocating). The handler must never be the first to
  /// use one: a signal just after `sigaction` would run that initialisation inside the handler (`malloc` is not
  /// async-signal-safe; a signal arriving while another thread holds the same once-lock would deadlock). So the
  /// path takes its slot, and `interrupted` is read, before the handlers are installed.
  static func register(_ path: String) -> Int? {
    lock.withLock { installed in
      guard let free = (0..<slotCount).first(where: { slots[$0] == nil }) else { return nil }
      slots[free] = strdup(path)
      if !installed {
        installed = true
        _ = interrupted.load(ordering: .sequentiallyConsistent)
        installHandlers()
      }
      return free
    }
  }

  /// Forgets the path in `slot` (the file was renamed into place or removed).
  ///
  /// Frees its string unless a handler has started (it may be reading it); returns whether it was freed.
  @discardableResult
  static func unregister(_ slot: Int) -> Bool {
    lock.withLock { _ in
      let path = slots[slot]
      slots[slot] = nil
      atomicMemoryFence(ordering: .sequentiallyConsistent)
      guard !interrupted.load(ordering: .sequentiallyConsistent) else { return false }
      free(path)
      return true
    }
  }

  /// For tests: what the handler does before it reads the slots, without the rest.
  ///
  /// `unregister` then keeps every string; the process's writes stay registered as before.
  static func markInterruptedForTesting() {
    interrupted.store(true, ordering: .sequentiallyConsistent)
    atomicMemoryFence(ordering: .sequentiallyConsistent)
  }

  private static func installHandlers() {
    for signal in signals {
      var current = sigaction()
      guard sigaction(signal, nil, &current) == 0, isDefault(current) else { continue }
      var action = sigaction()
      #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = removeAndRaise
      #else
        action.__sigaction_u.__sa_handler = removeAndRaise
      #endif
      sigemptyset(&action.sa_mask)
      action.sa_flags = 0
      _ = sigaction(signal, &action, nil)
    }
  }

  private static func isDefault(_ action: sigaction) -> Bool {
    #if canImport(Glibc)
      return unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self) == 0  // SIG_DFL
    #else
      return unsafeBitCast(action.__sigaction_u.__sa_handler, to: Int.self) == 0
    #endif
  }

  /// The handler: only async-signal-safe calls.
  private static let removeAndRaise: @convention(c) (Int32) -> Void = { signal in
    InterruptedWrites.interrupted.store(true, ordering: .sequentiallyConsistent)  // before any slot is read
    atomicMemoryFence(ordering: .sequentiallyConsistent)
    for slot in 0..<InterruptedWrites.slotCount {
      if let path = InterruptedWrites.slots[slot] { unlink(path) }
    }
    var action = sigaction()
    sigemptyset(&action.sa_mask)
    _ = sigaction(signal, &action, nil)  // zeroed: SIG_DFL
    raise(signal)
  }
}
