import Foundation
import Models
import Tensor

/// Section 6: INN against TabResNet, one training step each at steel-plates' shape (27
/// features, 7 classes, batch 64, hidden 128, 2 blocks), as `sann train` runs them: the
/// multiclass objective with INN's L1 term, Adam with weight decay, libxsmm, retained heap.
/// INN's head writes 28 × 7 = 196 numbers a row where TabResNet's writes 7, so the ratio of the
/// two steps is issue 14's INN/TabResNet without a whole run's data loading and evaluation.
/// The models take turns, 200 steps each, and the ratio is the median of the turns' ratios.
func headBenchmark(threads: [Int]) {
  let (features, classes, batch) = (27, 7, 64)
  print("\n== INN against TabResNet, one training step at steel-plates' shape (27 features, 7 classes, batch 64), median of 9 turns of 200 steps ==")
  BLAS.threadCount = 1
  BLAS.smallProductKernels = true
  _ = Heap.retainFreedMemory()
  var rng = RandomGenerator(seed: 4)
  let x = Tensor.randomNormal([batch, features], using: &rng)
  let labels = (0..<batch).map { _ in Float(rng.nextInt(below: classes)) }
  let inn = MesomorphicNetwork(features: features, outputs: classes, rng: &rng)
  // TabResNet's registry initialiser validates sizes these are within.
  let tabResNet = try! TabResNet(configuration: .init(), features: features, outputs: classes, rng: &rng)
  let models: [any TabularModel] = [inn, tabResNet]
  for model in models { model.train() }
  let optimizers = models.map { Adam($0.parameters, learningRate: 0.01, weightDecay: 0.01) }
  func steps(_ index: Int, _ count: Int) -> Double {
    let (model, optimizer) = (models[index], optimizers[index])
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<count {
      optimizer.zeroGrad()
      // The loss and its graph die inside the closure, as in `Trainer`, so Adam updates in place.
      _ = { Trainer.objective(model, x, labels, task: .multiclass).backward() }()
      optimizer.step()
    }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(count)
  }
  for count in threads {
    Parallelism.threadCount = count
    _ = steps(0, 50)
    _ = steps(1, 50)
    var innTimes: [Double] = [], tabTimes: [Double] = [], ratios: [Double] = []
    for _ in 0..<9 {
      let a = steps(0, 200), b = steps(1, 200)
      innTimes.append(a)
      tabTimes.append(b)
      ratios.append(a / b)
    }
    func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
    print(String(format: "Parallelism.threadCount %d: INN %.1f µs, TabResNet %.1f µs a step, INN/TabResNet %.3f (turns %.3f–%.3f)",
                 count, median(innTimes) * 1e6, median(tabTimes) * 1e6, median(ratios), ratios.min()!, ratios.max()!))
  }
  Parallelism.threadCount = 1
}
