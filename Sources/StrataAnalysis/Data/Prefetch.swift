/// LLVM's prefetch intrinsic, a hint that the cache line at `address` will be used soon.
///
/// The processor may fetch the line while it goes on with other work; the hint never faults and changes no value.
/// Arguments: the address, 1 for a line about to be written, locality 3 (keep it in every cache level), 1 for data.
@_silgen_name("llvm.prefetch.p0")
private func llvmPrefetch(_ address: UnsafeRawPointer, _ write: Int32, _ locality: Int32, _ data: Int32)

/// Software prefetch of memory a loop will update a few iterations later (`UnitLevelRows.flush`).
enum Prefetch {
  /// Asks for every cache line of `buffer[start..<start + count]`, for writing.
  @inline(__always)
  static func range<Value>(_ buffer: UnsafeMutableBufferPointer<Value>, from start: Int, count: Int) {
    // `start <= buffer.count - count` rather than `start + count <= buffer.count`: no overflow check to make.
    guard let base = buffer.baseAddress, count > 0, start >= 0, start <= buffer.count &- count else { return }
    let first = UnsafeRawPointer(base + start)
    let end = first + count &* MemoryLayout<Value>.stride
    var line = first
    while line < end {
      llvmPrefetch(line, 1, 3, 1)
      line += 64
    }
    // The last line, when the values end past the 64-byte steps from an unaligned start.
    llvmPrefetch(end - 1, 1, 3, 1)
  }

  /// Asks for every cache line of the `count` values from `first`, for writing, with no check: the caller makes
  /// sure they are values of one allocation.
  @inline(__always)
  static func lines<Value>(_ first: UnsafeMutablePointer<Value>, count: Int) {
    let start = UnsafeRawPointer(first)
    let end = start + count &* MemoryLayout<Value>.stride
    var line = start
    while line < end {
      llvmPrefetch(line, 1, 3, 1)
      line += 64
    }
    // The last line, when the values end past the 64-byte steps from an unaligned start.
    if count > 0 { llvmPrefetch(end - 1, 1, 3, 1) }
  }

  /// Asks for the cache line of `address`, for writing, with no check (a prefetch never faults).
  @inline(__always)
  static func line(_ address: UnsafeRawPointer) { llvmPrefetch(address, 1, 3, 1) }

  /// `range(_:from:count:)` for a buffer read without a mutable access (a prefetch changes no value).
  @inline(__always)
  static func range<Value>(_ buffer: UnsafeBufferPointer<Value>, from start: Int, count: Int) {
    range(UnsafeMutableBufferPointer(mutating: buffer), from: start, count: count)
  }
}
