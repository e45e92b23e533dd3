/// An exit status from BSD's sysexits, the contract scripts rely on.
public enum ExitStatus: Int32, Sendable, Equatable, CaseIterable {
    case success = 0
    case failure = 1
    case usage = 64
    case dataError = 65
    case noInput = 66
    case unavailable = 69
    case software = 70
    case cantCreate = 73
    case ioError = 74
    case tempFail = 75
}

/// An error that can explain itself to a person: what happened, what to do, and the exit status.
///
/// Every module's error enum conforms; the CLI is the only place that renders one.
public protocol FieldKitError: Error, Sendable {
    /// What happened, naming the thing it happened to. Never field data or key material.
    var message: String { get }
    /// What to do about it, when there is something to do.
    var hint: String? { get }
    /// The sysexits status the process ends with.
    var exitStatus: ExitStatus { get }
}
