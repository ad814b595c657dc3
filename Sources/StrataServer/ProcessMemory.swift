#if canImport(Glibc)
  import Glibc
#endif

/// How the server's process keeps freed memory.
public enum ProcessMemory {
  /// The most freed memory the C allocator keeps mapped at the top of a heap instead of returning it to the system
  /// (glibc's default is 128 KiB, adjusted upwards as large blocks are freed).
  static let keptBytes: Int32 = 64 << 20

  /// Blocks from this size up are mapped on their own (glibc's default starts at 128 KiB).
  static let mappedFromBytes: Int32 = 16 << 20

  /// Keeps freed memory for reuse (glibc).
  ///
  /// Each ingestion transaction allocates and frees a few megabytes (its rows,
  /// the units' states and memos); with glibc's defaults the freed top of the heap is returned to the system and
  /// faulted in again (zeroed page by page) by the next transaction, about 4% of the server's CPU in a profile under
  /// the ingestion benchmark. The cost: up to `keptBytes` more resident memory per heap after a peak. Nothing on
  /// other C libraries.
  public static func keepFreedPages() {
    #if canImport(Glibc)
      // `mallopt` is declared in <malloc.h>, which the Glibc module does not import: found by name, called through
      // its C signature. Its parameters, from <malloc.h>: M_TRIM_THRESHOLD -1, M_MMAP_THRESHOLD -3.
      typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
      guard let process = dlopen(nil, RTLD_NOW), let symbol = dlsym(process, "mallopt") else { return }
      let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
      _ = mallopt(-1, keptBytes)
      _ = mallopt(-3, mappedFromBytes)
    #endif
  }
}
