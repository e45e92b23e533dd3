import FieldKitCore

/// Why the hub server cannot start.
public enum ServerFailure: Error, Equatable, Sendable {
    /// A listen address that is not HOST:PORT.
    case badAddress(String)
    /// A dashboard beyond loopback without a token of at least 16 characters.
    case dashboardNeedsToken(String)
    /// The technicians' interface asked to listen beyond this machine.
    case interfaceNotLoopback(String)
    /// The interface's per-start key is too short to guard it.
    case interfaceKeyTooShort
}

extension ServerFailure: FieldKitError {
    public var message: String {
        switch self {
        case .badAddress(let text): "\(text) is not an address to listen on (HOST:PORT)"
        case .dashboardNeedsToken(let address):
            "the dashboard would listen on \(address), beyond this machine, without a token"
        case .interfaceNotLoopback(let address):
            "the interface would listen on \(address), beyond this machine"
        case .interfaceKeyTooShort: "the interface's key is shorter than 32 characters"
        }
    }

    public var hint: String? {
        switch self {
        case .badAddress: "write it as 127.0.0.1:8470, 0.0.0.0:8470 or [::1]:8470"
        case .dashboardNeedsToken:
            "keep it on 127.0.0.1, or give --dashboard-token with at least 16 random characters (FIELDKIT_DASHBOARD_TOKEN)"
        case .interfaceNotLoopback:
            "the interface serves this laptop's own browser only: use 127.0.0.1:PORT (0 picks a free port)"
        case .interfaceKeyTooShort: "this is a bug in fieldkit; please report it"
        }
    }

    public var exitStatus: ExitStatus { self == .interfaceKeyTooShort ? .software : .usage }
}
