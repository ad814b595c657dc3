import ArgumentParser
import Foundation
import StrataAnalysis
import StrataAssignment
import StrataDesign
import StrataReport
import StrataStats

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An input that parsed but is invalid: printed as one sentence on stderr, exit status 1.
struct InvalidInput: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

/// Writes a line to standard error, with controls and bidi overrides from the input escaped (line breaks
/// kept) and cut after ``maximumMessageLength`` characters.
func printError(_ message: String) {
  var line = DisplayText.escaped(message, keeping: ["\n"])
  if line.count > maximumMessageLength {
    line = line.prefix(maximumMessageLength) + "… (\(line.count - maximumMessageLength) more characters)"
  }
  if !line.hasSuffix("\n") { line += "\n" }
  FileHandle.standardError.write(Data(line.utf8))
}

/// Whether standard output is a terminal (colour and progress only then).
var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) != 0 }

/// The width to break readable output's prose at: nil unless standard output is a terminal (a pipe or a file gets
/// the lines as they always were); then `COLUMNS` when it is a positive number (as Python's
/// `shutil.get_terminal_size` reads it first), else the terminal's own width (`TIOCGWINSZ`), else 80.
func terminalWidth() -> Int? {
  guard standardOutputIsTerminal else { return nil }
  if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap({ Int($0) }), columns > 0 {
    return columns
  }
  var size = winsize()
  #if canImport(Glibc)
    let request = UInt(TIOCGWINSZ)
  #else
    let request = TIOCGWINSZ
  #endif
  if ioctl(STDOUT_FILENO, request, &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
  return 80
}
var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

/// Runs a command body and maps domain errors to the contract's exit status 1 with a sentence on stderr.
///
/// Usage errors (exit 64) are raised by swift-argument-parser before `run()` is reached.
func reportingErrors(_ body: () throws -> Void) throws {
  do {
    try body()
  } catch let error as StatsError {
    printError("strata: error: \(error.namingFlag)")
    throw ExitCode(1)
  } catch let error as DesignError {
    printError("strata: error: \(StatsError(error).namingFlag)")
    throw ExitCode(1)
  } catch let error as DataError {
    printError("strata: error: \(error.description(naming: \.namingFlags))")
    throw ExitCode(1)
  } catch let error as LookStoreError {
    printError("strata: error: \(error.description(naming: \.namingFlags))")
    throw ExitCode(1)
  } catch let error as InvalidInput {
    printError("strata: error: \(error)")
    throw ExitCode(1)
  } catch let error as ExitCode {
    throw error
  } catch let error as CustomStringConvertible {
    printError("strata: error: \(error)")
    throw ExitCode(1)
  } catch {
    printError("strata: error: \(error)")
    throw ExitCode(1)
  }
}

/// Prints `object` (one JSON object) with `--json`, else the readable `text`; only the one asked for is built.
func printOutput(json: Bool, _ object: @autoclosure () throws -> JSONValue, _ text: @autoclosure () throws -> String)
  rethrows
{
  if json { printJSON(try object()) } else { print(try text()) }
}

/// Prints exactly one JSON object on stdout, written out in chunks as it is serialized (through the same
/// buffered stream as `print`, so the order of output is kept).
func printJSON(_ value: JSONValue) {
  value.write(pretty: true, to: printChunk)
  print()
}

/// Prints one chunk of a document being written (UTF-8 bytes), with nothing after it.
///
/// The bytes go to standard output as they are, after whatever `print` has buffered: making a `String` of them
/// first checked and copied every byte as UTF-8 (1.2 GB of JSON at 20,000 segments × 16 variants, 3.5% of that
/// run). The writers end a chunk between members or array items, never inside a string, and their strings are
/// Swift strings, so the bytes are valid UTF-8 and the same as `print` would write. `bytes` is the writer's own
/// buffer, written from in place (no copy per chunk).
func printChunk(_ bytes: UnsafeBufferPointer<UInt8>) {
  fflush(nil)
  guard let base = bytes.baseAddress else { return }
  var offset = 0
  while offset < bytes.count {
    let written = write(STDOUT_FILENO, base + offset, bytes.count - offset)
    if written > 0 {
      offset += written
    } else if written < 0 && errno == EINTR {
      continue
    } else {
      // Noted, and reported when the command ends (``StandardOutput``); the rest of the document is not
      // written (a full disk, a closed terminal: later chunks would fail the same way).
      StandardOutput.noteFailure(written < 0 ? errno : EIO)
      return
    }
  }
}

/// Renders rows as an aligned plain-text table: first column left-aligned, the rest right-aligned.
func textTable(_ rows: [[String]]) -> String {
  guard let width = rows.map(\.count).max() else { return "" }
  var widths = [Int](repeating: 0, count: width)
  for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
  return rows.map { row in
    row.enumerated().map { i, cell in
      let pad = String(repeating: " ", count: widths[i] - cell.count)
      return i == 0 ? cell + pad : pad + cell
    }.joined(separator: "  ")
  }.joined(separator: "\n")
}

/// The longest message printed whole; each echoed value is also cut on its own (``DisplayText/echo(_:limit:)``).
let maximumMessageLength = 2_000

/// Prints readable output: controls and bidi overrides that came from names or data are escaped, line breaks
/// and tabs kept.
func printText(_ text: String) {
  print(DisplayText.escaped(text, keeping: ["\n", "\t"]))
}
