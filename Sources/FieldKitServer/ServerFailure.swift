import FieldKitCore

/// Why the hub server cannot start.
public enum ServerFailure: Error, Equatable, Sendable {
    /// A listen address that is not HOST:PORT.
    case badAddress(String)
    /// A dashboard beyond loopback without a token of at least 16 characters.
    case dashboardNeedsToken(String)
}

extension ServerFailure: FieldKitError {
    public var message: String {
        switch self {
        case .badAddress(let text): "\(text) is not an address to listen on (HOST:PORT)"
        case .dashboardNeedsToken(let address):
            "the dashboard would listen on \(address), beyond this machine, without a token"
        }
    }

    public var hint: String? {
        switch self {
        case .badAddress: "write it as 127.0.0.1:8470, 0.0.0.0:8470 or [::1]:8470"
        case .dashboardNeedsToken:
            "keep it on 127.0.0.1, or give --dashboard-token with at least 16 random characters (FIELDKIT_DASHBOARD_TOKEN)"
        }
    }

    public var exitStatus: ExitStatus { .usage }
}

/// An address to listen on: a host name or IP address and a port (0: any free port).
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `HOST:PORT`, `[IPv6]:PORT`.
    public init(parsing text: String) throws(ServerFailure) {
        var hostPart: Substring
        var portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw .badAddress(text)
            }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw .badAddress(text) }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard !hostPart.isEmpty, let port = Int(portPart), (0...65535).contains(port) else { throw .badAddress(text) }
        host = String(hostPart)
        self.port = port
    }

    /// Whether only this machine can connect.
    public var isLoopback: Bool {
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
