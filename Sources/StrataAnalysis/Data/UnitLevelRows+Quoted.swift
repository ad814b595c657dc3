/// The one-pass row for records with quotes (`UnitLevelRows.consumeOther`) and its readings of single fields.
extension UnitLevelRows {
  /// The one-pass row for a record with a quote (R's `write.csv`, Python's `csv.QUOTE_NONNUMERIC` and `QUOTE_ALL`).
  ///
  /// Tried by the scanner where it meets the quote (`CSVScanner.forEachRecord(progress:fast:quoted:_:)`), after
  /// `consumeFast` left the record, and on the records after one it took that start with a quote, before anything
  /// else. The record at `bytes[start...]`, with `end` the end of the bytes read; returns the offset just past its line
  /// end when the row was used, or -1 when nothing was done (the scanner and `consume(_:)` then take it as any other).
  ///
  /// Each field as the scanner reads it, quoted or not, first by the steps of `consumeFast` from the field's first
  /// byte, or the byte after its opening quote: a plain decimal (`NumberParser.scanDecimal`, read as its bytes are
  /// seen, no second pass), an empty value (`""` or nothing), a name of at most 8 bytes with no byte below `-` (one
  /// word, looked up in its names' table as `consumeFast` does), a unit id or skipped field with no byte below `-` (a
  /// word at a time), each followed by its closing quote when quoted (`closes`: not `""`) and its terminator (or a
  /// CRLF line end after the last field). Between the quotes these are the bytes the scanner's unquoting leaves as they
  /// are, so nothing is copied. A field those steps do not take is read the general way (`otherField`): quoted (`"…"`
  /// with no quote or line feed inside, then its terminator) or not (no quote, comma, line feed, or carriage return
  /// but before the line feed ending the row, but spaces and other bytes below `-` allowed), its names found with the
  /// spaces around them dropped (`otherName`), its values numbers in exponent notation or with a leading `+`
  /// (`NumberParser.scanGeneral`, `otherNumber`), empty, or quoted and read by `NumberParser.parse` (`otherValue`):
  /// what the scanner's unquoting and `consume(_:)` make of them, used the same way. A skipped field may be quoted with
  /// `""` and line ends inside (multi-line notes, `skippedQuotedField`): a used row sets `lineEnds` to the number of
  /// those line ends, for the scanner's line count. The rest of `consumeFast`'s rules hold (the row within
  /// `fastRowBytes`, the header's number of fields, a nonempty unit id, 0 or 1 for a 0/1 metric); anything else is
  /// left untouched.
  ///
  /// Out of line, and called from the scanner's path for quoted records only: the usual row never reaches it, and its
  /// code and registers stay as they were (called from `consumeFast`'s failures instead, it cost the usual row about
  /// 10 instructions; inlined among its steps, about 20).
  /// Mutating, like its caller: a non-mutating method would copy the reader for every call.
  @inline(never)
  mutating func consumeOther(
    _ bytes: UnsafeMutablePointer<UInt8>, _ start: Int, _ end: Int, lineEnds: inout Int
  ) -> Int {
    guard fastFields > 0, start &+ Self.fastRowBytes <= end else { return -1 }
    // As in `consumeFast`: every field starts before `limit`, and no read reaches past `limit + 15` (the steps below
    // read at most a word from the byte after a quote, then a closing quote, a carriage return and a line feed).
    let limit = start &+ (Self.fastRowBytes &- 16)
    var values = InlineArray<8, Double>(repeating: 0)
    var filled = InlineArray<8, Bool>(repeating: false)
    var variant = 0
    var segment = 0
    var unitStart = 0
    var unitEnd = 0
    var quotedLineEnds = 0
    var position = start
    let last = fastFields &- 1
    var field = 0
    while true {
      guard position < limit else { return -1 }
      let role = fastRoles[field]
      let terminator = field == last ? UInt8(ascii: "\n") : UInt8(ascii: ",")
      // A quoted field's bytes start after its opening quote.
      let quoted = bytes[position] == UInt8(ascii: "\"")
      let from = quoted ? position &+ 1 : position
      if role >= FastRole.value {
        let metric = Int(role & 7)
        if let (value, after) = NumberParser.scanDecimal(bytes, from, limit),
          case let step = Self.closes(bytes, after, quoted, terminator), step != 0
        {
          // As in `consume`: `value * (value - 1) == 0` is `value == 0 || value == 1`.
          if role & FastRole.binomial != 0 && value * (value - 1) != 0 { return -1 }
          values[metric] = value
          position = after &+ step
        } else if case let step = Self.closes(bytes, from, quoted, terminator), step != 0 {
          // An empty field (`""` or nothing) is a missing value, as in `consume`.
          let zero = role & FastRole.missingIsZero != 0
          values[metric] = zero ? 0 : .nan
          filled[metric] = zero
          position = from &+ step
        } else {
          let (value, missing, step) = Self.otherValueField(bytes, position, limit, terminator, role)
          guard step > 0 else { return -1 }
          if missing {
            let zero = role & FastRole.missingIsZero != 0
            values[metric] = zero ? 0 : .nan
            filled[metric] = zero
          } else {
            values[metric] = value
          }
          position &+= step
        }
      } else if role >= FastRole.variant {
        // A name of at most 8 bytes with no byte below `-`: one word, as `consumeFast` reads it.
        let isVariant = role & 3 == FastRole.variant
        let word = Self.word(bytes, from)
        let length = CSVScanner.candidateBytes(word).trailingZeroBitCount &>> 3
        var index = -1
        var step = 0
        if length > 0 {
          step = Self.closes(bytes, from &+ length, quoted, terminator)
          if step != 0 {
            let name = word & (UInt64.max &>> UInt64(64 &- 8 &* length))
            index =
              isVariant
              ? wordName(columns.variantNames, role, name, length)
              : wordName(columns.segmentNames, role, name, length)
          }
        }
        if index >= 0 {
          position = from &+ length &+ step
        } else {
          let found = otherNameField(bytes, position, limit, terminator, variant: isVariant)
          guard found >= 0 else { return -1 }
          index = found &>> 16
          position &+= found & 0xffff
        }
        if isVariant { variant = index } else { segment = index }
      } else {
        // A unit id or skipped field with no byte below `-`: a word at a time to the first such byte, which must be
        // its closing quote (or its end).
        let at = Self.firstCandidate(bytes, from, limit)
        guard at >= 0 else { return -1 }
        let step = Self.closes(bytes, at, quoted, terminator)
        if step != 0 && (role != FastRole.unit || at > from) {
          if role == FastRole.unit {
            unitStart = from
            unitEnd = at
          }
          position = at &+ step
        } else if role == FastRole.skipped && quoted {
          let step = Self.skippedQuotedField(bytes, position, limit, terminator, lineEnds: &quotedLineEnds)
          guard step > 0 else { return -1 }
          position &+= step
        } else {
          let found = Self.otherField(bytes, position, limit, terminator)
          guard found >= 0 else { return -1 }
          if role == FastRole.unit {
            unitStart = position &+ found &>> 40
            unitEnd = unitStart &+ (found &>> 16) & 0xffff
            guard Self.hasOtherThanSpaces(bytes, unitStart, unitEnd) else { return -1 }
          }
          position &+= found & 0xffff
        }
      }
      if field == last { break }
      field &+= 1
    }
    useRow(bytes, unitStart, unitEnd, variant: variant, segment: segment, values: &values, filled: &filled)
    lineEnds = quotedLineEnds
    return position
  }

  /// How many bytes end a field whose bytes end at `bytes[at]`, for `consumeOther`; 0 when the field does not end there.
  ///
  /// For a `quoted` field, its closing quote (not the first of `""`) and then what `fieldEnd` finds after it, plus one;
  /// else `fieldEnd` at `at`.
  @inline(__always)
  private static func closes(_ bytes: UnsafeMutablePointer<UInt8>, _ at: Int, _ quoted: Bool, _ terminator: UInt8)
    -> Int
  {
    guard quoted else { return fieldEnd(bytes, at, terminator) }
    guard bytes[at] == UInt8(ascii: "\"") else { return 0 }
    let step = fieldEnd(bytes, at &+ 1, terminator)
    return step == 0 ? 0 : step &+ 1
  }

  /// The index of the name of `length` bytes (1 to 8) whose word is `name` (zero past it, no byte below `-`) in
  /// `names`, for the role `role` of a variant or segment field (`FastRole`): the lookup `consumeFast` makes for that
  /// role (the short table's, the wide table's one word or two words, or the hash table's), or -1.
  ///
  /// Inlined into `consumeOther` alone; `names` borrowed, not copied.
  @inline(__always)
  private func wordName(_ names: borrowing ByteNameTable, _ role: UInt8, _ name: UInt64, _ length: Int) -> Int {
    if role & FastRole.hashed == 0 { return names.wordIndex(name, length) }
    if role & FastRole.wide == 0 { return names.wordsIndex(length: length, name, 0, 0) }
    if role & FastRole.twoWords == 0 { return names.wordWideIndex(name, length) }
    return names.wideIndex(name, 0, length)
  }

  /// `consumeOther`'s general reading of a value field its first steps do not take (a quoted value `parse` reads,
  /// exponent notation or a leading `+`, an empty field, `otherValue` and `otherNumber`): the value, whether it is
  /// missing, and the bytes to the next field (0 when the field is not one `consume(_:)` would use).
  ///
  /// Out of line: the rows of plain and quoted decimals never come here.
  @inline(never)
  private static func otherValueField(
    _ bytes: UnsafeMutablePointer<UInt8>, _ position: Int, _ limit: Int, _ terminator: UInt8, _ role: UInt8
  ) -> (value: Double, missing: Bool, step: Int) {
    if bytes[position] == UInt8(ascii: "\"") { return otherValue(bytes, position, limit, terminator, role) }
    if bytes[position] != terminator, let (value, next) = otherNumber(bytes, position, limit, terminator) {
      if role & FastRole.binomial != 0 && value * (value - 1) != 0 { return (0, false, 0) }
      return (value, false, next &- position)
    }
    // An empty field is a missing value, as in `consume` (a field of spaces is left to it).
    let step = fieldEnd(bytes, position, terminator)
    return (0, true, step)
  }

  /// `otherName` out of line, for `consumeOther`'s names that its one-word step does not take.
  @inline(never)
  private mutating func otherNameField(
    _ bytes: UnsafeMutablePointer<UInt8>, _ position: Int, _ limit: Int, _ terminator: UInt8, variant: Bool
  ) -> Int {
    otherName(bytes, position, limit, terminator, variant: variant)
  }

  /// A skipped field that is quoted, as the scanner reads it, for `consumeOther`: the bytes to the next field (the
  /// field's, its closing quote's and its terminator's, `fieldEnd`), or 0 when it is not one the scanner reads that
  /// way; `lineEnds` grows by the line feeds inside its quotes.
  ///
  /// Unlike `otherField`, `""` and line ends inside the quotes are allowed (multi-line notes, as CRM and survey exports
  /// write them): the field's bytes are never used, only its end, and the scanner's quoting (`CSVScanner.QuoteState`)
  /// closes the field at a quote not followed by a quote. After the closing quote comes the field's terminator (or a
  /// CRLF line end after the last field); anything else, or no closing quote before `limit`, is 0: the scanner and
  /// `consume(_:)` decide. A word at a time to the next quote or line feed (`CSVScanner.candidateBytes`), each word
  /// loaded only before `limit`, so no read reaches past `limit + 9`. Inlined into `consumeOther` alone.
  @inline(__always)
  private static func skippedQuotedField(
    _ bytes: UnsafeMutablePointer<UInt8>, _ position: Int, _ limit: Int, _ terminator: UInt8, lineEnds: inout Int
  ) -> Int {
    var at = position &+ 1
    var lines = 0
    while true {
      guard at < limit else { return 0 }
      var mask = CSVScanner.candidateBytes(Self.word(bytes, at))
      var next = at &+ 8
      while mask != 0 {
        let candidate = at &+ mask.trailingZeroBitCount &>> 3
        mask &= mask &- 1
        let byte = bytes[candidate]
        if byte == UInt8(ascii: "\n") {
          lines &+= 1
        } else if byte == UInt8(ascii: "\"") {
          if bytes[candidate &+ 1] == UInt8(ascii: "\"") {
            // `""`: one quote inside the field; the scan goes on after it.
            next = candidate &+ 2
            break
          }
          let step = Self.fieldEnd(bytes, candidate &+ 1, terminator)
          guard step != 0 else { return 0 }
          lineEnds &+= lines
          return candidate &+ 1 &+ step &- position
        }
      }
      at = next
    }
  }

  /// The field at `bytes[position...]` as the scanner reads it, for `consumeFast` when its inlined steps do not take
  /// it: where its bytes start (`position` plus 0, or 1 for a quoted field) times 2^40, plus their count times 65,536,
  /// plus the bytes to the next field (the field's, its closing quote's and its terminator's, `fieldEnd`); or -1 when
  /// it is not one the scanner reads that way.
  ///
  /// A quoted field is a quote, then any bytes but a quote or a line feed, then the closing quote and the field's
  /// terminator (or a CRLF line end after the last field), and its bytes are those between the quotes, as the
  /// scanner's unquoting gives them (`CSVScanner.QuoteState`: a carriage return inside quotes is kept). Anything
  /// else about quotes (`""` inside, a line end inside, text after the closing quote, no closing quote before
  /// `limit`) is -1: the scanner and `consume(_:)` decide. An unquoted field is any bytes but a quote, a carriage
  /// return, a comma and a line feed, then its terminator or a CRLF line end after the last field: the bytes a record
  /// without quotes keeps as they are, and one with quotes elsewhere as well (that scanner drops carriage returns
  /// outside quotes, so they are -1 here unless they end the line, as before).
  ///
  /// A word at a time to the first byte below `-` that can end the field (`CSVScanner.candidateBytes`), each word
  /// loaded only before `limit`, so no read reaches past `limit + 9`. Inlined into `consumeOther` alone.
  @inline(__always)
  private static func otherField(
    _ bytes: UnsafeMutablePointer<UInt8>, _ position: Int, _ limit: Int, _ terminator: UInt8
  ) -> Int {
    let quoted = bytes[position] == UInt8(ascii: "\"")
    let from = quoted ? position &+ 1 : position
    var at = from
    // The first quote or line feed inside a quoted field; the first comma, quote, carriage return or line feed in an
    // unquoted one.
    var stop = -1
    while stop < 0 {
      guard at < limit else { return -1 }
      var mask = CSVScanner.candidateBytes(Self.word(bytes, at))
      while mask != 0 {
        let candidate = at &+ mask.trailingZeroBitCount &>> 3
        let byte = bytes[candidate]
        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\n")
          || (!quoted && (byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\r")))
        {
          stop = candidate
          break
        }
        mask &= mask &- 1
      }
      at &+= 8
    }
    let after: Int
    if quoted {
      // The closing quote (not a line feed), then the field's end (a second quote, `""`, is none).
      guard bytes[stop] == UInt8(ascii: "\"") else { return -1 }
      after = stop &+ 1
    } else {
      after = stop
    }
    let step = Self.fieldEnd(bytes, after, terminator)
    guard step != 0 else { return -1 }
    let offset = quoted ? 1 : 0
    return offset &<< 40 | (stop &- from) &<< 16 | (after &+ step &- position)
  }

  /// `consumeFast`'s reading of a name field its inlined steps do not take (`otherField`: quoted, or with a space or
  /// another byte below `-`): the index of the variant's (`variant`) or segment's name it holds times 65,536 plus the
  /// bytes to the next field, or -1 (no such field, or no such name: the usual path decides).
  ///
  /// The name as `ByteNameTable.index(of:)` finds it, spaces around it ignored: through the table of short names or
  /// the wide table when the names have one (`ByteNameTable.fieldIndex`). Inlined into `consumeOther` alone.
  /// Mutating, like its caller: a non-mutating method would copy the reader for every call.
  @inline(__always)
  private mutating func otherName(
    _ bytes: UnsafeMutablePointer<UInt8>, _ position: Int, _ limit: Int, _ terminator: UInt8, variant: Bool
  ) -> Int {
    let found = Self.otherField(bytes, position, limit, terminator)
    guard found >= 0 else { return -1 }
    var from = position &+ found &>> 40
    var to = from &+ (found &>> 16) & 0xffff
    while from < to && bytes[from] == UInt8(ascii: " ") { from &+= 1 }
    while to > from && bytes[to &- 1] == UInt8(ascii: " ") { to &-= 1 }
    // The wide table's words may be read up to `from + 15`: within the row's bytes when `from` is before `limit`.
    let index =
      variant
      ? columns.variantNames.fieldIndex(bytes, from, to, wordsReadable: from <= limit)
      : columns.segmentNames.fieldIndex(bytes, from, to, wordsReadable: from <= limit)
    return index < 0 ? -1 : index &<< 16 | found & 0xffff
  }

  /// `consumeFast`'s reading of a quoted value (`otherField`), value column `role & 7`'s: the number, whether it is
  /// missing (nothing but spaces between the quotes), and the bytes to the next field; 0 bytes when the field is not
  /// quoted or not what `consume(_:)` would use (not a number, or not 0 or 1 for a 0/1 metric).
  ///
  /// The bytes between the quotes go to `NumberParser.parse`, as `consume(_:)` hands them after the scanner's
  /// unquoting: every form it reads is read the same. Inlined into `consumeOther` alone.
  @inline(__always)
  private static func otherValue(
    _ bytes: UnsafeMutablePointer<UInt8>, _ position: Int, _ limit: Int, _ terminator: UInt8, _ role: UInt8
  ) -> (value: Double, missing: Bool, step: Int) {
    guard bytes[position] == UInt8(ascii: "\"") else { return (0, false, 0) }
    let found = otherField(bytes, position, limit, terminator)
    guard found >= 0 else { return (0, false, 0) }
    let from = position &+ found &>> 40
    let to = from &+ (found &>> 16) & 0xffff
    let step = found & 0xffff
    guard let value = NumberParser.parse(UnsafeBufferPointer(start: bytes + from, count: to &- from)) else {
      return hasOtherThanSpaces(bytes, from, to) ? (0, false, 0) : (0, true, step)
    }
    // As in `consume`: `value * (value - 1) == 0` is `value == 0 || value == 1`.
    guard role & FastRole.binomial == 0 || value * (value - 1) == 0 else { return (0, false, 0) }
    return (value, false, step)
  }

  /// Whether `bytes[from..<to]` holds a byte other than a space (`consume(_:)`'s test of a unit id or value for
  /// emptiness, negated).
  @inline(__always)
  private static func hasOtherThanSpaces(_ bytes: UnsafeMutablePointer<UInt8>, _ from: Int, _ to: Int) -> Bool {
    var at = from
    while at < to {
      if bytes[at] != UInt8(ascii: " ") { return true }
      at &+= 1
    }
    return false
  }

  /// An unquoted number field of `consumeOther` that plain decimals do not read: its value and the offset just past
  /// its terminator (or CRLF line end), or nil unless that follows right after the number.
  ///
  /// Where `NumberParser.scanDecimal` stops short of the field's end or does not start (a leading `+`):
  /// `NumberParser.scanGeneral`, which takes the exponent notation R's `write.csv` and pandas write (`1.841e-05`) with
  /// `parse`'s value bit for bit. Out of line (inlined, the quoted records of plain decimals paid about 36
  /// instructions a row), and quoted records only: rows without a quote never come here.
  @inline(never)
  private static func otherNumber(
    _ bytes: UnsafeMutablePointer<UInt8>, _ position: Int, _ limit: Int, _ terminator: UInt8
  ) -> (value: Double, next: Int)? {
    guard let (value, after) = NumberParser.scanGeneral(bytes, position, limit) else { return nil }
    let step = fieldEnd(bytes, after, terminator)
    return step == 0 ? nil : (value, after &+ step)
  }
}
