import StrataAssignment

extension DefinitionLoader {
  /// The segments `segment` makes of plain segments' mappings (a name and a rule): the same `Segment`s.
  ///
  /// A rule that does not parse throws an error that is never shown: `read` reads the file again with the segments
  /// as nodes, and `segment` reports it with its line and field.
  static func segments(_ plainSegments: [BlockYAML.PlainSegment], file: String) throws(ExperimentFileError)
    -> [Segment]
  {
    var segments: [Segment] = []
    segments.reserveCapacity(plainSegments.count)
    for plain in plainSegments {
      var rule: Rule?
      if let text = plain.rule {
        do {
          rule = try Rule(text)
        } catch {
          throw ExperimentFileError(file: file, line: 1, field: "segments", message: "\(error)")
        }
      }
      segments.append(Segment(name: plain.name, rule: rule))
    }
    return segments
  }
}
