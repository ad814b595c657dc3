/// A dense matrix of feature values, one row per unit and one column per feature, stored row-major.
///
/// Every value is finite (missing values are resolved before a matrix is built; see ``FeatureScaling``).
public struct FeatureMatrix: Sendable, Hashable {
  public let rowCount: Int
  public let columnCount: Int
  /// The values, row after row: element (i, j) is `values[i * columnCount + j]`.
  public internal(set) var values: [Double]

  /// A matrix from row-major values; `values.count` must be `rowCount * columnCount`.
  public init(rowCount: Int, columnCount: Int, values: [Double]) {
    precondition(rowCount >= 0 && columnCount >= 1 && values.count == rowCount * columnCount, "matrix shape")
    self.rowCount = rowCount
    self.columnCount = columnCount
    self.values = values
  }

  /// A matrix from rows of equal length (at least one column).
  public init(rows: [[Double]]) {
    let columns = rows.first?.count ?? 1
    precondition(rows.allSatisfy { $0.count == columns }, "rows of equal length")
    self.init(rowCount: rows.count, columnCount: columns, values: rows.flatMap { $0 })
  }

  /// Element (row, column).
  @inlinable
  public subscript(row: Int, column: Int) -> Double { values[row * columnCount + column] }

  /// Row `index` as an array.
  public func row(_ index: Int) -> [Double] {
    Array(values[(index * columnCount)..<((index + 1) * columnCount)])
  }

  /// The rows at `indices`, in that order.
  public func rows(_ indices: [Int]) -> FeatureMatrix {
    var out: [Double] = []
    out.reserveCapacity(indices.count * columnCount)
    for index in indices { out += values[(index * columnCount)..<((index + 1) * columnCount)] }
    return FeatureMatrix(rowCount: indices.count, columnCount: columnCount, values: out)
  }

  /// The squared Euclidean distance between row `a` of `self` and row `b` of `other`.
  @inlinable
  public func squaredDistance(_ a: Int, to other: FeatureMatrix, row b: Int) -> Double {
    var sum = 0.0
    let d = columnCount
    for j in 0..<d {
      let t = values[a * d + j] - other.values[b * d + j]
      sum += t * t
    }
    return sum
  }
}
