/// The report's HTML building blocks for other HTML pages (the service's dashboard), so they escape and look
/// exactly as the reports do.
public enum ReportHTML {
  /// Escapes text for element content and attribute values, as every report does (`&`, `<`, `>`, `"`, `'`;
  /// controls dropped; bidi overrides shown, never applied).
  public static func escape(_ text: String) -> String { HTML.escape(text) }

  /// The reports' inline style sheet (system fonts, WCAG AA contrast, phone cards, print rules).
  public static var styleSheet: String { HTMLStyle.css }

  /// A shared report table as every report renders it (column headers, phone cards labelled by `data-label`, numbers
  /// right-aligned from `numericFrom`, row classes for colour).
  public static func table(_ table: ReportTables.Table, numericFrom: Int = 2, caption: String? = nil) -> String {
    HTML.table(table, numericFrom: numericFrom, caption: caption)
  }
}
