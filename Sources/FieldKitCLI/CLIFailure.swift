import FieldKitCore

/// Failures of the command layer itself.
public enum CLIFailure: Error, Equatable, Sendable {
    /// A flag or argument is missing or wrong.
    case usage(String, hint: String?)
    /// The target of a command is not in the state it needs (not empty, not found).
    case refused(String, hint: String?, status: ExitStatus)
    /// Something that should not happen.
    case internalError(String)
}

extension CLIFailure: FieldKitError {
    public var message: String {
        switch self {
        case .usage(let text, _), .refused(let text, _, _), .internalError(let text): text
        }
    }

    public var hint: String? {
        switch self {
        case .usage(_, let hint), .refused(_, let hint, _): hint
        case .internalError: "this is a bug in fieldkit; please report it with the command you ran"
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .usage: .usage
        case .refused(_, _, let status): status
        case .internalError: .software
        }
    }
}
