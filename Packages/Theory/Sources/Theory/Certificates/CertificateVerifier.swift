import Foundation

/// Re-checks a ``DualCertificate`` from scratch with exact (GMP) arithmetic only:
///
/// 1. rebuild the instance — parse the polynomial, check the point and groups;
/// 2. dual feasibility — every λ_S ∈ [−1, 1] and Σ_S λ_S·a_S = 0 for every group;
/// 3. D(λ) = Σ_S λ_S·b_S equals the claimed optimum;
/// 4. E(α) = Σ_S |b_S − a_S·α| equals the claimed optimum.
///
/// By weak duality D(λ) ≤ OPT ≤ E(α), so 2–4 prove OPT exactly. Any altered number breaks
/// one of the checks, and the error says which.
public enum CertificateVerifier {
  public struct Failure: Error, Equatable, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
  }

  /// Returns the certified optimum, or throws ``Failure`` with the reason.
  @discardableResult
  public static func verify(_ certificate: DualCertificate) throws -> Rational {
    func fail(_ reason: String) -> Failure { Failure(reason: reason) }
    guard certificate.format == DualCertificate.formatName else {
      throw fail("unknown format '\(certificate.format)' (expected \(DualCertificate.formatName))")
    }
    let d = certificate.dimension
    let symmetric = certificate.blocks != nil
    guard d >= 0, symmetric || d <= ErrorProgram.maximumFullDimension, d <= 100_000 else {
      throw fail("dimension \(d) outside 0...\(ErrorProgram.maximumFullDimension) (larger d needs blocks)")
    }
    let polynomial: Polynomial
    do {
      polynomial = try PolynomialParser.parse(certificate.polynomial, dimension: d)
    } catch {
      throw fail("the polynomial does not parse: \(error)")
    }
    guard certificate.point.count == d else { throw fail("the point has \(certificate.point.count) coordinates for d = \(d)") }
    var groups: [[Int]]? = nil
    if let given = certificate.groups {
      guard !symmetric else { throw fail("a certificate with blocks must be feature-wise (no groups)") }
      guard given.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0 >= 1 && $0 <= d } && Set($0).count == $0.count }) else {
        throw fail("a group is empty, repeats a feature or names a feature outside 1...\(d)")
      }
      groups = given.map { $0.map { $0 - 1 } }
    }
    let expectedAlpha = groups?.count ?? d
    guard certificate.alpha.count == expectedAlpha else {
      throw fail("α has \(certificate.alpha.count) entries for \(expectedAlpha) \(groups == nil ? "features" : "groups")")
    }
    if let blocks = certificate.blocks {
      // Checked before any arithmetic on them: an index of Int.min overflowed on `- 1`.
      guard blocks.allSatisfy({ !$0.isEmpty && $0.allSatisfy { (1...d).contains($0) } }), Set(blocks.joined()).count == d,
            blocks.reduce(0, { $0 + $1.count }) == d else {
        throw fail("the blocks must partition the features 1...\(d), each feature in exactly one non-empty block")
      }
    }
    let optimum: Rational
    if groups == nil {
      // Feature-wise: by classes (blocks of one feature when none are given, i.e. by subsets).
      let blocks = certificate.blocks.map { $0.map { $0.map { $0 - 1 } } } ?? (0..<d).map { [$0] }
      let check = ClassCertificateCheck(polynomial: polynomial, point: certificate.point, kind: certificate.error, blocks: blocks)
      let codes = try LambdaCodes.decode(certificate.lambda.signs, limit: try check.classCount()).get()
      optimum = try check.verify(codes: codes, values: certificate.lambda.values, alpha: certificate.alpha)
    } else {
      let program = ErrorProgram(polynomial: polynomial, point: certificate.point, kind: certificate.error, groups: groups)
      let n = program.subsetCount
      let codes = try LambdaCodes.decode(certificate.lambda.signs, limit: n).get()
      guard codes.count == n else { throw fail("λ has \(codes.count) entries for 2^\(d) = \(n) subsets") }
      var lambda: [Rational] = []
      lambda.reserveCapacity(n)
      var starred = 0
      for (s, c) in codes.enumerated() {
        switch c {
        case UInt8(ascii: "+"): lambda.append(.one)
        case UInt8(ascii: "-"): lambda.append(-Rational.one)
        case UInt8(ascii: "0"): lambda.append(.zero)
        default:
          guard let value = certificate.lambda.values["\(s)"] else { throw fail("λ for subset \(s) is marked '*' but has no value") }
          lambda.append(value)
          starred += 1
        }
      }
      guard starred == certificate.lambda.values.count else { throw fail("λ lists values for subsets not marked '*'") }
      let masks = program.groupMasks
      let columnRows = (0..<n).map { s in masks.indices.filter { program.explains(masks[$0], subset: UInt64(s)) }.map { Int32($0) } }
      do {
        optimum = try ExactBasis.verify(lambda: lambda, alpha: certificate.alpha, targets: program.targets(), program: program, columnRows: columnRows).optimum
      } catch let error as TheoryError {
        if case .verificationFailed(let reason) = error { throw fail(reason) }
        throw fail("\(error)")
      }
    }
    guard optimum == certificate.optimum else {
      throw fail("D(λ) = E(α) = \(optimum), but the certificate claims \(certificate.optimum)")
    }
    return optimum
  }

  /// Reads and verifies a certificate file.
  @discardableResult
  public static func verify(fileAt url: URL) throws -> Rational {
    try verifyFile(at: url).optimum
  }

  /// The largest certificate file read (the catalogue's largest is about 1 MB; a full d = 20
  /// certificate holds 2^20 λ codes, about 1 MB, and a few dozen values).
  public static let maximumFileSize = 16 << 20

  /// Verifies the certificate at `url`; returns the optimum and whether it is over groups (a
  /// group-based optimum, not the feature-wise bound).
  public static func verifyFile(at url: URL) throws -> (optimum: Rational, groups: Bool) {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
      throw Failure(reason: "\(url.path) does not exist")
    }
    guard !isDirectory.boolValue else {
      throw Failure(reason: "\(url.path) is a folder; give its certificates (for the catalogue: Proofs/*.json)")
    }
    let data: Data
    do {
      let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
      guard size <= maximumFileSize else {
        throw Failure(reason: "\(url.path) is \(size) bytes, more than the \(maximumFileSize) a certificate may have")
      }
      data = try Data(contentsOf: url)
    } catch let failure as Failure {
      throw failure
    } catch {
      throw Failure(reason: "cannot read \(url.path): \(error.localizedDescription)")
    }
    if let duplicate = JSONKeyCheck.firstDuplicate(in: [UInt8](data)) {
      throw Failure(reason: "\(url.path) repeats the key \"\(duplicate.key)\" in one object (byte \(duplicate.offset)); readers disagree on which copy counts, so it is refused")
    }
    let certificate: DualCertificate
    do {
      certificate = try DualCertificate.decode(data)
    } catch {
      throw Failure(reason: "\(url.path) is not a SANNKit certificate: \(error)")
    }
    return (try verify(certificate), certificate.groups != nil)
  }
}
