import COpenBLAS
import CTensorKernels
import CSmallGEMM

/// C ← α·op(A)·op(B) + β·C for row-major matrices, through OpenBLAS `cblas_sgemm`.
/// `op(A)` is m×k, `op(B)` is k×n, C is m×n.
@inline(__always)
func sgemm(
  transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
  alpha: Float = 1, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
  beta: Float = 0, _ c: UnsafeMutablePointer<Float>
) {
  if m == 0 || n == 0 { return }
  if k == 0 {
    for i in 0..<(m * n) { c[i] = beta == 0 ? 0 : beta * c[i] }
    return
  }
  cblas_sgemm(
    CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
    Int32(m), Int32(n), Int32(k), alpha, a, Int32(transposeA ? m : k), b, Int32(transposeB ? k : n),
    beta, c, Int32(n))
}

/// The largest m·n·k routed to libxsmm's JIT kernels (the shapes measured faster than
/// OpenBLAS: a training step's backward products, A·B and Aᵀ·B, up to about 128×256×256).
let smallProductLimit = 128 * 256 * 256

/// C = A·B or Aᵀ·B (row-major, dense, k > 0) through libxsmm's JIT kernels; false when libxsmm
/// has no kernel for the shape (C is then untouched).
func smallProduct(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, transposeA: Bool, m: Int, n: Int, k: Int,
                  into c: UnsafeMutablePointer<Float>) -> Bool {
  let (m32, n32, k32) = (Int32(m), Int32(n), Int32(k))
  return (transposeA ? sann_small_sgemm_tn(m32, n32, k32, a, b, c) : sann_small_sgemm_nn(m32, n32, k32, a, b, c)) != 0
}

/// The product op(A)·op(B) of two row-major matrices stored in arrays. With
/// ``BLAS/smallProductKernels`` on,
/// A·B and Aᵀ·B of small shapes (the backward products of a training step) go through libxsmm's
/// JIT kernels, which are faster there and write C without OpenBLAS's separate zeroing pass;
/// everything else, and any shape libxsmm has no kernel for, through OpenBLAS.
func matrixProduct(_ a: [Float], _ b: [Float], transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int) -> [Float] {
  makeArray(count: m * n) { c in
    // An empty inner extent (A and B hold no values): C is zeros.
    guard k > 0 else {
      c.initialize(repeating: 0, count: m * n)
      return
    }
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        product(pa.baseAddress!, pb.baseAddress!, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, into: c)
      }
    }
  }
}

/// C = op(A)·op(B) into C [m×n] (see ``matrixProduct``), for k > 0.
func product(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
             into c: UnsafeMutablePointer<Float>) {
  // libxsmm's kernels run on one thread: used when the user chose them (sann does, with
  // one OpenBLAS thread); two OpenBLAS threads beat them (142 against 116 GFLOP/s on 64×128×128).
  if BLAS.smallProductKernels, !transposeB, m * n * k <= smallProductLimit,
     smallProduct(a, b, transposeA: transposeA, m: m, n: n, k: k, into: c) {
    return
  }
  sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a, b, c)
}

/// The smallest m·n·k of a layer's backward products that ``Parallelism`` runs on two cores at
/// once (a 64-row batch through 128 × 16 weights, 0.26 MFLOP, about 2.5 µs). Handing a part to
/// the helper and waiting for it cost about 2 µs in a microbenchmark (a 64×128×128 product cut
/// in two: 26.7 → 15.3 µs against 13.4 ideal), so smaller pairs would gain little or lose.
let parallelProductWork = 64 * 128 * 16

/// One matrix product C = op(A)·op(B) to compute (see ``matrixProduct``).
struct ProductSpec {
  let a: [Float], b: [Float]
  let transposeA: Bool, transposeB: Bool
  let m: Int, n: Int, k: Int

  var work: Int { m * n * k }

  func compute() -> [Float] { matrixProduct(a, b, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k) }

  /// C into `c` [m×n]; k > 0.
  func compute(into c: UnsafeMutablePointer<Float>) {
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        product(pa.baseAddress!, pb.baseAddress!, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, into: c)
      }
    }
  }
}

/// A layer's backward products, ∂x and ∂W, either of which may not be needed: both at the same
/// time on two cores when ``Parallelism`` is on and both are large enough, else one after the
/// other. Each is computed whole, exactly as alone, so the values do not depend on the thread
/// count.
func productPair(_ first: ProductSpec?, _ second: ProductSpec?) -> ([Float]?, [Float]?) {
  // (Above the threshold every extent is positive, so no operand is empty.)
  guard Parallelism.isOn, let first, let second, Swift.min(first.work, second.work) >= parallelProductWork else {
    return (first?.compute(), second?.compute())
  }
  // Both results are allocated here, on the calling thread; the parts only write into them.
  var secondResult: [Float] = []
  let firstResult = makeArray(count: first.m * first.n) { c1 in
    secondResult = makeArray(count: second.m * second.n) { c2 in
      runTwoParts { part in part == 0 ? first.compute(into: c1) : second.compute(into: c2) }
    }
  }
  return (firstResult, secondResult)
}

extension Tensor {
  /// Matrix product through OpenBLAS `cblas_sgemm`.
  ///
  /// - [m,k]·[k,n] → [m,n];
  /// - [b,m,k]·[b,k,n] → [b,m,n] (batched);
  /// - [b,m,k]·[k,n] → [b,m,n] (the matrix is shared by the batch).
  ///
  /// ∂/∂A = g·Bᵀ and ∂/∂B = Aᵀ·g (summed over the batch for a shared B), computed with
  /// transposed BLAS calls rather than materialised transposes.
  public func matmul(_ other: Tensor) -> Tensor {
    switch (rank, other.rank) {
    case (2, 2):
      precondition(shape[1] == other.shape[0], "matmul: inner dimensions differ, \(shape) · \(other.shape)")
      let (m, k, n) = (shape[0], shape[1], other.shape[1])
      let values = matrixProduct(scalars, other.scalars, transposeA: false, transposeB: false, m: m, n: n, k: k)
      let av = scalars
      let bv = other.scalars
      return Tensor.record("matmul", shape: [m, n], scalars: values, inputs: [self, other]) { g, needed in
        let (ga, gb) = productPair(
          needed[0] ? ProductSpec(a: g.scalars, b: bv, transposeA: false, transposeB: true, m: m, n: k, k: n) : nil,
          needed[1] ? ProductSpec(a: av, b: g.scalars, transposeA: true, transposeB: false, m: k, n: n, k: m) : nil)
        return [ga.map { Tensor(unchecked: [m, k], $0) }, gb.map { Tensor(unchecked: [k, n], $0) }]
      }
    case (3, 2):
      precondition(shape[2] == other.shape[0], "matmul: inner dimensions differ, \(shape) · \(other.shape)")
      let (batch, m) = (shape[0], shape[1])
      return reshaped([batch * m, shape[2]]).matmul(other).reshaped([batch, m, other.shape[1]])
    case (3, 3):
      return batchedMatmul(other)
    default:
      preconditionFailure("matmul supports [m,k]·[k,n], [b,m,k]·[b,k,n] and [b,m,k]·[k,n]; got \(shape) · \(other.shape)")
    }
  }

  private func batchedMatmul(_ other: Tensor) -> Tensor {
    precondition(
      shape[0] == other.shape[0] && shape[2] == other.shape[1],
      "matmul: batched shapes \(shape) · \(other.shape) do not agree")
    let (batch, m, k, n) = (shape[0], shape[1], shape[2], other.shape[2])
    func batched(_ a: [Float], _ b: [Float], tA: Bool, tB: Bool, m: Int, n: Int, k: Int) -> [Float] {
      makeArray(count: batch * m * n) { c in
        a.withUnsafeBufferPointer { pa in
          b.withUnsafeBufferPointer { pb in
            for i in 0..<batch {
              if k == 0 {
                (c + i * m * n).initialize(repeating: 0, count: m * n)
              } else {
                sgemm(
                  transposeA: tA, transposeB: tB, m: m, n: n, k: k,
                  pa.baseAddress! + i * m * k, pb.baseAddress! + i * k * n, c + i * m * n)
              }
            }
          }
        }
      }
    }
    let values = batched(scalars, other.scalars, tA: false, tB: false, m: m, n: n, k: k)
    let av = scalars
    let bv = other.scalars
    return Tensor.record("bmm", shape: [batch, m, n], scalars: values, inputs: [self, other]) { g, needed in
      [
        needed[0] ? Tensor(unchecked: [batch, m, k], batched(g.scalars, bv, tA: false, tB: true, m: m, n: k, k: n)) : nil,
        needed[1] ? Tensor(unchecked: [batch, k, n], batched(av, g.scalars, tA: true, tB: false, m: k, n: n, k: m)) : nil,
      ]
    }
  }

  /// The affine map of `torch.nn.functional.linear`: y = x·Wᵀ + b for x [n, in], W [out, in],
  /// b [out], fused into one BLAS call. ∂/∂x = g·W, ∂/∂W = gᵀ·x, ∂/∂b = Σₙ g.
  public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
    precondition(x.rank == 2 && weight.rank == 2 && x.shape[1] == weight.shape[1],
      "linear: input \(x.shape) does not match weight \(weight.shape) (expected [n, \(weight.shape.last ?? 0)])")
    let (n, inFeatures, outFeatures) = (x.shape[0], x.shape[1], weight.shape[0])
    if let bias { precondition(bias.shape == [outFeatures], "linear: bias shape \(bias.shape) must be [\(outFeatures)]") }
    let values = makeArray(count: n * outFeatures) { c in
      if affineColumnsApply(rows: n, inputs: inFeatures, outputs: outFeatures),
         affineThroughColumns(x, weight: weight, bias: bias, rows: n, inputs: inFeatures, outputs: outFeatures, into: c) {
        return
      }
      if let bias {
        bias.scalars.withUnsafeBufferPointer { b in
          for row in 0..<n { (c + row * outFeatures).update(from: b.baseAddress!, count: outFeatures) }
        }
      } else {
        c.initialize(repeating: 0, count: n * outFeatures)
      }
      if inFeatures > 0 {
        x.scalars.withUnsafeBufferPointer { px in
          weight.scalars.withUnsafeBufferPointer { pw in
            sgemm(transposeA: false, transposeB: true, m: n, n: outFeatures, k: inFeatures,
                  px.baseAddress!, pw.baseAddress!, beta: 1, c)
          }
        }
      }
    }
    let xv = x.scalars
    let wv = weight.scalars
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    return record("linear", shape: [n, outFeatures], scalars: values, inputs: inputs) { g, needed in
      let (gx, gw) = productPair(
        needed[0] ? ProductSpec(a: g.scalars, b: wv, transposeA: false, transposeB: false, m: n, n: inFeatures, k: outFeatures) : nil,
        needed[1] ? ProductSpec(a: g.scalars, b: xv, transposeA: true, transposeB: false, m: outFeatures, n: inFeatures, k: n) : nil)
      var grads: [Tensor?] = [gx.map { Tensor(unchecked: [n, inFeatures], $0) }, gw.map { Tensor(unchecked: [outFeatures, inFeatures], $0) }]
      if needed.count == 3 {
        grads.append(needed[2] ? g.sum(alongAxis: 0) : nil)
      }
      return grads
    }
  }

  /// The per-instance linear map of INN (Kadra et al. 2024, eq. 1): for inputs x̃ [n, j] and
  /// per-instance weights W [n, j, k], logits[n,k] = Σⱼ x̃[n,j]·W[n,j,k].
  /// ∂/∂x̃[n,j] = Σₖ W[n,j,k]·g[n,k] and ∂/∂W[n,j,k] = x̃[n,j]·g[n,k].
  public static func perInstanceLinear(_ x: Tensor, weights w: Tensor) -> Tensor {
    precondition(x.rank == 2 && w.rank == 3 && w.shape[0] == x.shape[0] && w.shape[1] == x.shape[1],
      "perInstanceLinear: inputs \(x.shape) and weights \(w.shape) must be [n, j] and [n, j, k]")
    let (n, j, k) = (w.shape[0], w.shape[1], w.shape[2])
    let xv = x.scalars
    let wv = w.scalars
    // An empty extent: zeros, and zero gradients (the kernels need every buffer non-empty).
    if n * j * k == 0 {
      return record("per_instance_linear", shape: [n, k], scalars: [Float](repeating: 0, count: n * k), inputs: [x, w]) { _, needed in
        [needed[0] ? Tensor.zeros([n, j]) : nil, needed[1] ? Tensor.zeros([n, j, k]) : nil]
      }
    }
    let values = makeArray(count: n * k) { out in
      xv.withUnsafeBufferPointer { px in
        wv.withUnsafeBufferPointer { pw in
          sann_per_instance_linear_forward(px.baseAddress!, pw.baseAddress!, out, n, j, k)
        }
      }
    }
    return record("per_instance_linear", shape: [n, k], scalars: values, inputs: [x, w]) { g, needed in
      var gx: [Float]? = nil
      var gw: [Float]? = nil
      xv.withUnsafeBufferPointer { px in
        wv.withUnsafeBufferPointer { pw in
          g.scalars.withUnsafeBufferPointer { pg in
            func run(_ dx: UnsafeMutablePointer<Float>?, _ dw: UnsafeMutablePointer<Float>?) {
              sann_per_instance_linear_backward(px.baseAddress!, pw.baseAddress!, pg.baseAddress!, dx, dw, n, j, k)
            }
            switch (needed[0], needed[1]) {
            case (true, true): gx = makeArray(count: n * j) { dx in gw = makeArray(count: n * j * k) { dw in run(dx, dw) } }
            case (true, false): gx = makeArray(count: n * j) { dx in run(dx, nil) }
            case (false, true): gw = makeArray(count: n * j * k) { dw in run(nil, dw) }
            case (false, false): break
            }
          }
        }
      }
      return [gx.map { Tensor(unchecked: [n, j], $0) }, gw.map { Tensor(unchecked: [n, j, k], $0) }]
    }
  }
}
