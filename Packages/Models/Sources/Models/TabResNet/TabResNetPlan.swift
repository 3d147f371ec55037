import Tensor

/// The compiled evaluation-mode forward of the models built on the TabResNet trunk, with the
/// BatchNorms folded (``TabResNetTrunkPlan``) and a linear head:
///
///   TabResNet:  logits = h·W_headᵀ + b_head
///   INN:        W(x) = h·W_headᵀ + b_head ∈ R^{(F+1)×C},  logits[c] = Σⱼ x̃ⱼ·W(x)[j,c],  x̃ = [x, 1]
///
/// Rows are processed in chunks of ``chunkSize`` so the activations (chunkSize × width floats,
/// two buffers) stay in the core's L2 cache between the products. With `threads` > 1 each
/// worker thread owns its buffers and a contiguous share of the rows, and OpenBLAS runs
/// single-threaded meanwhile (`BLAS.withSingleThreadedProducts`): on 2 cores that is 1.4×
/// faster than one worker with a 2-thread OpenBLAS, because the GELU passes run in parallel too.
public struct TabResNetPlan: InferencePlan {
  /// How the head's output becomes the logits.
  public enum Readout: Sendable {
    /// The head's output is the logits (TabResNet).
    case logits
    /// The head's output is W(x) [F+1, C], applied to [x, 1] (INN, `Tensor.perInstanceLinear`).
    case perInstanceLinear
  }

  /// Rows per chunk: 256 × 128 floats is 128 KiB per buffer. Measured on 2 Zen 3 cores,
  /// width 128: 64 rows cost 8% more per row than 256, and 256 to 2048 are within 2%.
  public static let defaultChunkSize = 256
  /// Fewer rows than this per thread are not worth a thread.
  public static let minimumRowsPerWorker = 64

  public let trunk: TabResNetTrunkPlan
  public let head: AffineMap
  public let readout: Readout
  public let outputs: Int
  public let chunkSize: Int

  public init(trunk: TabResNetTrunkPlan, head: AffineMap, readout: Readout, chunkSize: Int = Self.defaultChunkSize) {
    precondition(chunkSize > 0, "TabResNetPlan: chunkSize \(chunkSize) must be positive")
    precondition(head.inputs == trunk.width, "TabResNetPlan: head takes \(head.inputs) inputs, the trunk gives \(trunk.width)")
    switch readout {
    case .logits: outputs = head.outputs
    case .perInstanceLinear:
      precondition(head.outputs % (trunk.features + 1) == 0,
        "TabResNetPlan: an INN head writes (F+1)·C = \(head.outputs) values, not a multiple of F+1 = \(trunk.features + 1)")
      outputs = head.outputs / (trunk.features + 1)
    }
    self.trunk = trunk
    self.head = head
    self.readout = readout
    self.chunkSize = chunkSize
  }

  public var features: Int { trunk.features }

  public func evaluate(_ rows: UnsafeBufferPointer<Float>, count: Int, into output: UnsafeMutableBufferPointer<Float>, threads: Int) {
    precondition(count >= 0 && rows.count >= count * features && output.count >= count * outputs,
      "TabResNetPlan.evaluate: buffers of \(rows.count) and \(output.count) values are too small for \(count) rows")
    guard count > 0 else { return }
    let (x, y) = (rows.baseAddress!, output.baseAddress!)
    let workers = Swift.min(Swift.max(threads, 1), (count + Self.minimumRowsPerWorker - 1) / Self.minimumRowsPerWorker)
    let run = {
      RowPartition.concurrentForEach(count: count, workers: workers) { _, range in
        let workspace = InferenceWorkspace(buffers: 3)
        var start = range.lowerBound
        while start < range.upperBound {
          let n = Swift.min(chunkSize, range.upperBound - start)
          evaluateChunk(x + start * features, rows: n, into: y + start * outputs, workspace: workspace)
          start += n
        }
      }
    }
    if workers > 1 { BLAS.withSingleThreadedProducts(run) } else { run() }
  }

  /// One chunk of at most `chunkSize` rows.
  private func evaluateChunk(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>, workspace: InferenceWorkspace) {
    let h = workspace.buffer(0, count: rows * trunk.width)
    let t = workspace.buffer(1, count: rows * trunk.width)
    trunk.apply(x, rows: rows, into: h, scratch: t)
    switch readout {
    case .logits:
      head.apply(h, rows: rows, into: y)
    case .perInstanceLinear:
      let w = workspace.buffer(2, count: rows * head.outputs)
      head.apply(h, rows: rows, into: w)
      Tensor.perInstanceLinear(x, weights: w, rows: rows, features: features, outputs: outputs, into: y)
    }
  }
}
