/// Reads polynomials written as a sum of terms: an optional sign ('+', '-' or the minus sign −), an optional rational
/// coefficient ("3", "1/2", "0.25", "1e-5", "2.5E+3"), and variables `x1`, `x2`, … separated by
/// spaces or `*`, e.g. `2 x1 x2 - x2 x3 x4 + 1/2 x5`. The dimension is the largest variable index
/// unless given.
///
/// The grammar is strict, so nothing is read as something else: powers (`x1^2`, `x1**2`) are
/// refused (the polynomial is multilinear), a variable's index is a whole number from 1 to
/// ``maximumVariable`` (`x1.5` is refused, not read as ½·x1), hexadecimal (`0x10`) is refused, and
/// every `*` needs a factor on both sides.
public enum PolynomialParser {
  public enum ParseError: Error, Equatable, CustomStringConvertible {
    case empty
    case unknownToken(String, position: Int)
    case zeroVariable(position: Int)
    case repeatedVariable(String, position: Int)
    case misplacedSign(position: Int)
    case dimensionTooSmall(needed: Int, given: Int)
    case variableTooLarge(String, position: Int)
    case badVariable(String, position: Int)
    case hexadecimal(String, position: Int)
    case danglingTimes(position: Int)

    public var description: String {
      switch self {
      case .empty: "the polynomial is empty; write terms such as \"2 x1 x2 - x3\""
      case let .unknownToken(token, position) where token.hasPrefix("^") || token.hasPrefix("**"):
        "a power '\(token)' at character \(position + 1): the polynomial must be multilinear (each variable at most once per term, and x^2 = x on {0, 1})"
      case let .unknownToken(token, position): "unknown token '\(token)' at character \(position + 1); expected a number such as 3 or 1/2, a variable x1, x2, …, '+', '-' or '*'"
      case let .zeroVariable(position): "'x0' at character \(position + 1): variables are numbered from x1"
      case let .repeatedVariable(name, position): "\(name) appears twice in one term (character \(position + 1)); the polynomial must be multilinear"
      case let .misplacedSign(position): "a sign at character \(position + 1) has no term after it"
      case let .dimensionTooSmall(needed, given): "the polynomial uses x\(needed) but the dimension is \(given)"
      case let .variableTooLarge(name, position):
        "\(name) at character \(position + 1): variables are numbered x1 … x\(PolynomialParser.maximumVariable)"
      case let .badVariable(text, position):
        "'\(text)' at character \(position + 1): a variable is x followed by a whole number (x1, x2, …); write a coefficient before it, as in 1/2 x1"
      case let .danglingTimes(position):
        "a '*' at character \(position + 1) lacks a factor on one side; write a number or variable on both sides, as in 2 * x1"
      case let .hexadecimal(text, position):
        "'\(text)' at character \(position + 1) looks like a hexadecimal number, which is not accepted; write the coefficient in decimal or as a fraction, with a space before its variables"
      }
    }
  }

  /// The largest variable index accepted (no command handles more features).
  public static let maximumVariable = 4096

  public static func parse(_ text: String, dimension: Int? = nil) throws -> Polynomial {
    let tokens = try tokenize(text)
    guard !tokens.isEmpty else { throw ParseError.empty }
    var terms: [(Rational, [Int])] = []
    var i = 0
    while i < tokens.count {
      var sign = Rational.one
      if case .sign(let s) = tokens[i].kind {
        sign = s
        i += 1
        guard i < tokens.count else { throw ParseError.misplacedSign(position: tokens[i - 1].position) }
      } else if !terms.isEmpty {
        throw ParseError.unknownToken(tokens[i].text, position: tokens[i].position)
      }
      var coefficient = sign
      var support: [Int] = []
      var sawFactor = false
      loop: while i < tokens.count {
        switch tokens[i].kind {
        case .number(let value):
          coefficient = coefficient * value
        case .variable(let index):
          if support.contains(index) { throw ParseError.repeatedVariable("x\(index + 1)", position: tokens[i].position) }
          support.append(index)
        case .times:
          // A '*' between two factors only.
          guard sawFactor, i + 1 < tokens.count, tokens[i + 1].isFactor else { throw ParseError.danglingTimes(position: tokens[i].position) }
          i += 1
          continue loop
        case .sign:
          break loop
        }
        sawFactor = true
        i += 1
      }
      guard sawFactor else { throw ParseError.misplacedSign(position: tokens[i - 1].position) }
      terms.append((coefficient, support))
    }
    let needed = terms.flatMap(\.1).max().map { $0 + 1 } ?? 0
    if let dimension, dimension < needed { throw ParseError.dimensionTooSmall(needed: needed, given: dimension) }
    return Polynomial(dimension: dimension ?? needed, terms: terms.map { Polynomial.Term(coefficient: $0.0, support: $0.1) })
  }

  struct Token {
    enum Kind {
      case number(Rational), variable(Int), sign(Rational), times
    }
    var kind: Kind
    var text: String
    var position: Int

    var isFactor: Bool {
      switch kind {
      case .number, .variable: true
      case .sign, .times: false
      }
    }
  }

  static func tokenize(_ text: String) throws -> [Token] {
    let characters = Array(text)
    var tokens: [Token] = []
    var i = 0
    while i < characters.count {
      let c = characters[i]
      if c.isWhitespace {
        i += 1
      } else if c == "+" || c == "-" || c == "\u{2212}" {
        // U+2212, the minus sign of typeset formulas, is read as '-'.
        tokens.append(Token(kind: .sign(c == "+" ? 1 : -1), text: String(c), position: i))
        i += 1
      } else if c == "*" {
        if i + 1 < characters.count && characters[i + 1] == "*" {
          var j = i
          while j < characters.count && !characters[j].isWhitespace { j += 1 }
          throw ParseError.unknownToken(String(characters[i..<j]), position: i)
        }
        tokens.append(Token(kind: .times, text: "*", position: i))
        i += 1
      } else if c == "x" || c == "X" {
        var j = i + 1
        while j < characters.count && characters[j].isASCII && characters[j].isNumber { j += 1 }
        let digits = String(characters[(i + 1)..<j])
        // A variable ends at a space, a sign, '*' or the end: x1.5 or x2y is not one.
        if j < characters.count && !(characters[j].isWhitespace || "+-*^".contains(characters[j])) {
          var k = j
          while k < characters.count && !characters[k].isWhitespace && !"+-*".contains(characters[k]) { k += 1 }
          throw ParseError.badVariable(String(characters[i..<k]), position: i)
        }
        guard !digits.isEmpty else { throw ParseError.badVariable(String(characters[i..<Swift.min(j + 1, characters.count)]), position: i) }
        guard digits.count <= 9, let index = Int(digits), index <= maximumVariable else { throw ParseError.variableTooLarge("x\(digits)", position: i) }
        guard index >= 1 else { throw ParseError.zeroVariable(position: i) }
        tokens.append(Token(kind: .variable(index - 1), text: "x\(digits)", position: i))
        i = j
      } else if c.isASCII && (c.isNumber || c == ".") {
        if c == "0" && i + 1 < characters.count && "xX".contains(characters[i + 1]) {
          var j = i
          while j < characters.count && !characters[j].isWhitespace { j += 1 }
          throw ParseError.hexadecimal(String(characters[i..<j]), position: i)
        }
        var j = i
        while j < characters.count && characters[j].isASCII {
          let d = characters[j]
          // An exponent's sign belongs to the number: 1e-5.
          if (d == "-" || d == "+") && j > i && "eE".contains(characters[j - 1]) { j += 1; continue }
          guard d.isNumber || "./eE".contains(d) else { break }
          j += 1
        }
        let word = String(characters[i..<j])
        guard let value = Rational(word) else { throw ParseError.unknownToken(word, position: i) }
        tokens.append(Token(kind: .number(value), text: word, position: i))
        i = j
      } else {
        var j = i
        while j < characters.count && !characters[j].isWhitespace { j += 1 }
        throw ParseError.unknownToken(String(characters[i..<j]), position: i)
      }
    }
    return tokens
  }
}
