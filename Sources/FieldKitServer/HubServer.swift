import FieldKitCore
import FieldKitStore
import FieldKitSync
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle

/// `fieldkit hub serve`: headquarters' store on HTTP (Sync/SPEC.md §18). The upload listener
/// takes change archives and hands out receipts, trust files and the published bundle; the
/// dashboard listener shows headquarters' state, only on loopback or with a token.
public struct HubServer: Sendable {
    /// What the server listens on.
    public struct Configuration: Sendable {
        public var listen: ListenAddress
        public var dashboard: ListenAddress?
        /// Required when the dashboard listens beyond loopback.
        public var dashboardToken: String?
        /// What `/v1/health` says the server is.
        public var version: String
        /// Whether SIGINT and SIGTERM stop the server (`hub serve`), or are left to the process
        /// that runs it inside something larger (`tour`, where Ctrl-C stops the whole tour).
        public var handlesSignals: Bool

        public init(
            listen: ListenAddress, dashboard: ListenAddress? = nil, dashboardToken: String? = nil, version: String,
            handlesSignals: Bool = true
        ) {
            self.listen = listen
            self.dashboard = dashboard
            self.dashboardToken = dashboardToken
            self.version = version
            self.handlesSignals = handlesSignals
        }
    }

    /// Which listener is running, and where.
    public enum Listener: String, Sendable {
        case uploads
        case dashboard
    }

    /// The port `hub serve` listens on unless told otherwise.
    public static let defaultPort = 8470

    let service: HubService
    let configuration: Configuration
    let logger: Logger
    let onListening: @Sendable (Listener, String, Int) async -> Void

    /// A server over headquarters' `store` in `folder`. `onListening` is told each listener's
    /// host and port once it accepts connections (port 0 asks the system for a free one).
    public init(
        folder: String, store: Store, environment: FieldKitEnvironment, configuration: Configuration,
        logger: Logger, onListening: @escaping @Sendable (Listener, String, Int) async -> Void = { _, _, _ in }
    ) throws(ServerFailure) {
        if let dashboard = configuration.dashboard, !dashboard.isLoopback,
            (configuration.dashboardToken ?? "").count < 16
        {
            throw .dashboardNeedsToken(dashboard.description)
        }
        service = HubService(folder: folder, store: store, environment: environment)
        self.configuration = configuration
        self.logger = logger
        self.onListening = onListening
    }

    /// Serves until SIGINT or SIGTERM (when it handles them) or until the task is cancelled,
    /// then stops taking connections and lets the requests under way finish.
    public func run() async throws {
        // Uploads cut off by a crash or a power cut are never resumed: each one starts anew.
        try? FileManager.default.removeItem(atPath: service.uploads)
        var services: [any Service] = [application(.uploads, configuration.listen, router: uploadRouter())]
        if let dashboard = configuration.dashboard {
            services.append(application(.dashboard, dashboard, router: dashboardRouter()))
        }
        let group = ServiceGroup(
            configuration: .init(
                services: services,
                gracefulShutdownSignals: configuration.handlesSignals ? [.sigterm, .sigint] : [], logger: logger))
        try await group.run()
    }

    func application(
        _ listener: Listener, _ address: ListenAddress, router: Router<BasicRequestContext>
    ) -> some Service {
        let onListening = onListening
        return Application(
            router: router,
            configuration: .init(address: .hostname(address.host, port: address.port)),
            onServerRunning: { channel in
                await onListening(listener, address.host, channel.localAddress?.port ?? address.port)
            }, logger: logger)
    }
}
