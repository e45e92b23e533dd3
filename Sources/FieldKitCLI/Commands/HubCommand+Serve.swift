import ArgumentParser
import FieldKitCore
import FieldKitServer
import FieldKitStore
import FieldKitSync
import Foundation
import Logging

extension HubCommand {
    /// Headquarters' store and folder for a server, checked under the data folder's lock once
    /// (a trust statement that does not name the signing key, as an interrupted rotation leaves
    /// it, is refused); afterwards the server takes the lock for each write only, so 'hub enrol'
    /// or 'hub publish' can run while it serves.
    static func openForServing(_ global: GlobalOptions, _ context: CommandContext) throws -> (
        store: Store, folder: String
    ) {
        let (store, lock, hub) = try HubCommand.openHub(global, context)
        defer { withExtendedLifetime(lock) {} }
        _ = try hub.currentTrust(store: store, keys: try DeviceKeys.load(from: hub.folder))
        return (store, hub.folder)
    }

    /// `fieldkit hub serve`.
    struct Serve: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Take change archives by upload and hand out receipts and the published bundle over HTTP.",
            discussion: """
                Uploads listen on 127.0.0.1 unless told otherwise; put the server behind a TLS reverse proxy \
                to take uploads from elsewhere (docs/operations.md). Stops cleanly on Ctrl-C or SIGTERM.
                """)

        @OptionGroup var global: GlobalOptions

        @Option(help: "Where uploads are taken (HOST:PORT; port 0 picks a free one).")
        var listen = "127.0.0.1:\(HubServer.defaultPort)"

        @Option(help: "Where the dashboard is served (HOST:PORT); beyond loopback it needs --dashboard-token.")
        var dashboard: String?

        @Option(help: "The dashboard's token (default: FIELDKIT_DASHBOARD_TOKEN).")
        var dashboardToken: String?

        func run(in context: CommandContext) throws {
            let (store, folder) = try HubCommand.openForServing(global, context)
            let configuration = HubServer.Configuration(
                listen: try ListenAddress(parsing: listen),
                dashboard: try dashboard.map { try ListenAddress(parsing: $0) },
                dashboardToken: dashboardToken ?? context.environment.variables["FIELDKIT_DASHBOARD_TOKEN"],
                version: FieldKitVersion.text)
            let console = context.console
            let logger = Logger(label: "fieldkit.hub", factory: { StreamLogHandler.standardError(label: $0) })
            let server = try HubServer(
                folder: folder, store: store, environment: context.environment, configuration: configuration,
                logger: logger,
                onListening: { listener, host, port in
                    let address = ListenAddress(host: host, port: port)
                    console.out("fieldkit hub: \(listener.rawValue) on http://\(address)")
                })
            try waitFor { try await server.run() }
            console.err("fieldkit hub: stopped")
        }
    }
}
