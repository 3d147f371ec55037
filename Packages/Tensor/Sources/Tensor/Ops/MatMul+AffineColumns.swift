import COpenBLAS
import CSmallGEMM
import CTensorKernels

/// Whether `Tensor.linear`'s forward product goes through libxsmm in column blocks (see
/// ``affineThroughColumns``): with ``BLAS/smallProductKernels`` on, for the shapes where that
/// gives OpenBLAS's bits. OpenBLAS's SkylakeX and Cooperlake kernels sum each output of x·Wᵀ over
/// k in order with FMAs from 0 and then add the bias for 64–128 rows, at least 19 outputs and
/// at most 256 inputs: `Tools/scripts/affine-bits.c` found no differing bit on 148,468 such
/// shapes (with and without a bias, whole and cut in two), and a review on 371,700 more. Beyond
/// 320 inputs OpenBLAS sums in blocks of inputs; fewer rows or outputs take other kernels, which
/// sum in other orders; its Haswell kernels (AVX2 machines) sum in another order altogether.
/// All of those stay with OpenBLAS.
@inline(__always)
func affineColumnsApply(rows: Int, inputs: Int, outputs: Int) -> Bool {
  BLAS.smallProductKernels && openBLASSumsInOrder && (64...128).contains(rows) && outputs >= 19
    && (1...256).contains(inputs) && rows * outputs * inputs <= smallProductLimit
}

/// Whether OpenBLAS runs the kernels whose forward sums ``affineColumnsApply`` reproduces.
let openBLASSumsInOrder: Bool = {
  guard let name = openblas_get_corename() else { return false }
  return ["Cooperlake", "SkylakeX"].contains(String(cString: name))
}()

/// y = x·Wᵀ + b into `c` [rows × outputs] by columns: each block of W's rows is transposed into
/// scratch space and multiplied by libxsmm (`sann_small_sgemm_nn_columns`, which sums in order),
/// then the bias is added; the same bits as OpenBLAS with C prefilled by the bias (see
/// ``affineColumnsApply``), in 10–36 % less time on a training step's shapes (no packing pass:
/// 64×128→128 24.4 → 20.4 µs, →196 36.1 → 32.6 µs, →31 8.6 → 5.5 µs). With ``Parallelism`` on
/// the columns run in two blocks on two cores, cut near the middle on a multiple of 8, when
/// both blocks have the 19 columns the rule asks of a whole product (each block is one, with
/// its bits) and the work pays for the hand-off. False, with `c` not fully written, when
/// libxsmm has no kernel for a block.
func affineThroughColumns(_ x: Tensor, weight: Tensor, bias: Tensor?, rows: Int, inputs: Int, outputs: Int,
                          into c: UnsafeMutablePointer<Float>) -> Bool {
  let middle = splitPoint(outputs)
  let split = Parallelism.isOn && Swift.min(middle, outputs - middle) >= 19 && rows * outputs * inputs >= 2 * parallelProductWork
  let cut = split ? middle : outputs
  // Each block's transposed weights have rows padded by 16 floats: a power-of-two stride such
  // as 128 makes the transpose's stores collide in the cache (4.6 against 1.6 µs for 128 × 128).
  let scratchCount = inputs * (cut + 16) + (cut < outputs ? inputs * (outputs - cut + 16) : 0)
  return withUnsafeTemporaryAllocation(of: Float.self, capacity: scratchCount) { scratch in
    x.scalars.withUnsafeBufferPointer { px in
      weight.scalars.withUnsafeBufferPointer { pw in
        withOptionalBuffer(bias?.scalars) { pb in
          func block(_ first: Int, _ count: Int, _ space: UnsafeMutablePointer<Float>) -> Bool {
            let ld = count + 16
            sann_transpose(pw.baseAddress! + first * inputs, count, inputs, inputs, space, ld)
            guard sann_small_sgemm_nn_columns(Int32(rows), Int32(count), Int32(inputs), px.baseAddress!, space, Int32(ld),
                                              c + first, Int32(outputs)) != 0 else { return false }
            // Without a bias OpenBLAS adds the sums to zeros, which turns a −0 sum (a negative
            // product that underflowed) into +0; so does adding a NULL bias here.
            sann_bias_add_strided(c + first, pb.map { $0 + first }, rows, count, outputs)
            return true
          }
          guard cut < outputs else { return block(0, outputs, scratch.baseAddress!) }
          var firstDone = false, secondDone = false  // each written by its own part
          runTwoParts { part in
            if part == 0 {
              firstDone = block(0, cut, scratch.baseAddress!)
            } else {
              secondDone = block(cut, outputs - cut, scratch.baseAddress! + inputs * (cut + 16))
            }
          }
          return firstDone && secondDone
        }
      }
    }
  }
}

/// `body` with the buffer of `values`, or nil.
private func withOptionalBuffer<R>(_ values: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
  guard let values else { return body(nil) }
  return values.withUnsafeBufferPointer { body($0.baseAddress!) }
}
