/// A command's refusal, as the interface shows it: its message and hint, and the field it names.
struct UIRefusal: Error, Sendable, Equatable {
    var status: Int32
    var message: String
    var hint: String?

    init(status: Int32, message: String, hint: String?) {
        self.status = status
        self.message = message
        self.hint = hint
    }

    /// The `error:` and `hint:` lines the CLI wrote to stderr.
    init(_ result: UICommandResult) {
        var message: [String] = []
        var hint: String?
        for line in result.errors.split(separator: "\n") {
            if line.hasPrefix("error: ") {
                message.append(String(line.dropFirst("error: ".count)))
            } else if line.hasPrefix("hint: ") {
                hint = String(line.dropFirst("hint: ".count))
            } else if !line.hasPrefix("warning: ") && !line.hasPrefix("note: ") {
                message.append(String(line))
            }
        }
        self.init(
            status: result.status,
            message: message.isEmpty ? "fieldkit stopped with status \(result.status)" : message.joined(separator: " "),
            hint: hint)
    }

    /// The form field whose flag the message names (`--minutes must be …` → `minutes`).
    func field(_ flags: [String: String]) -> String? {
        for (flag, field) in flags.sorted(by: { $0.key.count > $1.key.count }) where message.contains(flag) {
            return field
        }
        return nil
    }

    /// The message and hint as one sentence for a page.
    var text: String { hint.map { "\(message) (\($0))" } ?? message }
}
