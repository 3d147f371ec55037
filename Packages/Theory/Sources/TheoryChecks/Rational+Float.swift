import Theory

extension Rational {
  /// The exact value of a finite Float: every Float is a dyadic rational m·2^e with |m| < 2²⁴,
  /// and Float → Double is exact, so no rounding happens. Nil for NaN and ±∞.
  public init?(exactly value: Float) {
    self.init(exactly: Double(value))
  }
}
