import Foundation

/// Asks an operator to confirm a destructive operation on many hosts by typing a word back.
/// Without a terminal there is nobody to ask: the operation is refused (pass --yes).
enum Confirmation {
    static func require(_ summary: String, typing word: String) throws {
        guard isatty(STDIN_FILENO) != 0 else {
            throw Failure.refused("\(summary)\nrefusing without confirmation: no terminal to ask on; pass --yes")
        }
        FileHandle.standardError.write(Data("\(summary)\nType \(word) to continue: ".utf8))
        guard readLine()?.trimmingCharacters(in: .whitespaces) == word else {
            throw Failure.refused("not confirmed; nothing changed")
        }
    }
}
