import HTTPTypes

extension HTTPFields {
  /// The value of the field `name` as the subscript reads it (repeated fields joined with `, `; not for `Cookie`),
  /// without building a new string when the field occurs once (the usual case, paid by every evaluation request).
  func value(of name: HTTPField.Name) -> String? {
    var found: String?
    for field in self where field.name == name {
      if let first = found { found = first + ", " + field.value } else { found = field.value }
    }
    return found
  }
}
