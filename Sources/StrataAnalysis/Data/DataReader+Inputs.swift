import Foundation

extension DataReader {
  /// One input of `read(paths:plan:options:)`: as given (`name`) and how it is read (nil: a pipe planned when its turn
  /// comes, `planned(plan:options:)`).
  struct Input {
    let name: String
    let how: InputSpool.Plan?

    /// The path the readers open: the temporary copy's, standard input's file, or the input's.
    var path: String {
      if case .spooled(let spool) = how { return spool.path }
      if case .streamed(let spool, _, _, _) = how { return spool.path }
      if case .inPlace(let path) = how { return path }
      return name
    }

    var spool: InputSpool? {
      if case .spooled(let spool) = how { return spool }
      if case .streamed(let spool, _, _, _) = how { return spool }
      return nil
    }

    /// Whether it is a pipe read as it arrives (its size unknown until then).
    var isStreamed: Bool {
      switch how {
      case .streamed?, .arriving?: return true
      default: return false
      }
    }

    var prefix: ReadPrefix? {
      if case .sequential(let prefix) = how { return prefix }
      return nil
    }

    /// This input with its plan (`InputSpool.plan(for:plan:options:progress:)`), made now if it waited for its turn.
    func planned(plan: AnalysisPlan, options: DataReadOptions) throws -> Input {
      guard case .none = how else { return self }
      let copied = options.progress.map { report in { @Sendable (bytes: Int) in report(bytes, 0) } }
      return Input(name: name, how: try InputSpool.plan(for: name, plan: plan, options: options, progress: copied))
    }

    /// Whether pipes after the first input are planned when their turn comes rather than before any input is read.
    ///
    /// Planning a pipe opens it and reads its header, which waits for a writer and its first bytes: with two FIFOs
    /// that one writer fills in turn (`--data a.fifo --data b.fifo`), planning the second before reading the first
    /// waited forever (the writer waits for the first to be read). Not with Lin's regression and the duplicate check,
    /// whose plan copies each pipe whole (each is then read twice from its copy, as a file, which needs every input
    /// planned first) and so reads the first before it opens the second.
    static func pipesWaitForTheirTurn(plan: AnalysisPlan, options: DataReadOptions) -> Bool {
      !(options.checkDuplicates && plan.metrics.contains { $0.regression != nil } && !options.keepsRegressionRows)
    }

    /// Whether `name` is a pipe, a FIFO or a socket (standard input for `-`), which waits for its writer.
    static func isPipe(_ name: String) -> Bool {
      var info = stat()
      let looked = StandardInput.isStandardInput(name) ? fstat(STDIN_FILENO, &info) : stat(name, &info)
      let kind = looked == 0 ? info.st_mode & S_IFMT : 0
      return kind == S_IFIFO || kind == S_IFSOCK
    }
  }
}
