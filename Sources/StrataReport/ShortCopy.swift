/// Short byte copies without a call to `memcpy`, for the JSON writer's keys and names and the shortest digits.
enum ShortCopy {
  /// Copies `count` bytes from `source` to `target`, `memcpy` only beyond 32 bytes.
  ///
  /// At most four 8-byte loads and stores (two of 4, 2 or 1 byte below 8), overlapping in the middle, so that
  /// nothing outside either range is read or written. For the short keys and names of a JSON document, where the
  /// call to `memcpy` cost more than the copy. Up to 32 bytes every load comes before any store, so the ranges may
  /// overlap there (``ShortestDigits`` moves a number's digits back one byte over its point this way); beyond 32
  /// they must not.
  @inline(__always)
  static func copy(_ source: UnsafePointer<UInt8>, count: Int, to target: UnsafeMutablePointer<UInt8>) {
    let from = UnsafeRawPointer(source)
    let to = UnsafeMutableRawPointer(target)
    if count >= 8 {
      if count > 16 {
        guard count <= 32 else {
          target.initialize(from: source, count: count)
          return
        }
        let words = (
          from.loadUnaligned(as: UInt64.self), from.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
          from.loadUnaligned(fromByteOffset: count &- 16, as: UInt64.self),
          from.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
        )
        to.storeBytes(of: words.0, as: UInt64.self)
        to.storeBytes(of: words.1, toByteOffset: 8, as: UInt64.self)
        to.storeBytes(of: words.2, toByteOffset: count &- 16, as: UInt64.self)
        to.storeBytes(of: words.3, toByteOffset: count &- 8, as: UInt64.self)
      } else {
        let words = (
          from.loadUnaligned(as: UInt64.self), from.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
        )
        to.storeBytes(of: words.0, as: UInt64.self)
        to.storeBytes(of: words.1, toByteOffset: count &- 8, as: UInt64.self)
      }
    } else if count >= 4 {
      let words = (
        from.loadUnaligned(as: UInt32.self), from.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self)
      )
      to.storeBytes(of: words.0, as: UInt32.self)
      to.storeBytes(of: words.1, toByteOffset: count &- 4, as: UInt32.self)
    } else if count >= 2 {
      let words = (
        from.loadUnaligned(as: UInt16.self), from.loadUnaligned(fromByteOffset: count &- 2, as: UInt16.self)
      )
      to.storeBytes(of: words.0, as: UInt16.self)
      to.storeBytes(of: words.1, toByteOffset: count &- 2, as: UInt16.self)
    } else if count == 1 {
      target[0] = source[0]
    }
  }
}
