import StrataAssignment

/// The benchmark's floor: MurmurHash3 x86_32 of pre-built `salt:unit` keys, each reduced to its bucket
/// (hash mod 10,000), summed so the work cannot be dropped.
///
/// `keys` holds the keys back to back and `ends[i]` is where key `i` ends. Never inlined, so its machine
/// code does not change when the assignment loops (which inline the library) change. Where the linker
/// places it still matters: measured, the same machine code runs up to 8% faster or slower depending on
/// its offset from a 64-byte boundary. So it is compiled four times (one specialization per
/// `Placement`), and the floor is the fastest copy (`bareHashFloor`).
@inline(never)
func bareHashBuckets<Copy: Placement>(
  _: Copy.Type, keys: UnsafeRawBufferPointer, ends: UnsafeBufferPointer<Int>
) -> Int {
  var sum = 0
  var start = 0
  for end in ends {
    let key = UnsafeRawBufferPointer(start: keys.baseAddress.unsafelyUnwrapped + start, count: end &- start)
    sum &+= Int(MurmurHash3.x86_32(buffer: key) % 10_000)
    start = end
  }
  // Each copy adds its own constant (the caller takes it off), so the compiler cannot merge the copies.
  return sum &+ Copy.tag
}

protocol Placement { static var tag: Int { get } }
enum CopyA: Placement { static var tag: Int { 1 } }
enum CopyB: Placement { static var tag: Int { 2 } }
enum CopyC: Placement { static var tag: Int { 3 } }
enum CopyD: Placement { static var tag: Int { 4 } }
