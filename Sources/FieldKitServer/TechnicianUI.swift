import FieldKitCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A `fieldkit` command line as the interface asks for it: the subcommand's path, its options
/// (each as `--name=value` or a bare flag, so a value that starts with `-` stays a value), and
/// its positional arguments, which the runner places after `--`.
public struct UICommandLine: Sendable, Equatable, CustomStringConvertible {
    /// The subcommand, e.g. `["repair", "log"]`.
    public var path: [String]
    /// Options as `--name=value`, or bare flags.
    public var options: [String]
    /// Positional arguments, placed after `--`.
    public var positionals: [String]

    /// A command line of `path`, `options` and `positionals`.
    public init(_ path: [String], options: [String] = [], positionals: [String] = []) {
        self.path = path
        self.options = options
        self.positionals = positionals
    }

    public var description: String { (["fieldkit"] + path + options + ["--"] + positionals).joined(separator: " ") }
}

/// What a command printed and how it ended.
public struct UICommandResult: Sendable, Equatable {
    /// The exit status (0: success).
    public var status: Int32
    /// What it printed on stdout (with `--json`, one JSON document).
    public var output: String
    /// What it printed on stderr: `warning:`, `error:` and `hint:` lines.
    public var errors: String

    /// A finished command's status and output.
    public init(status: Int32, output: String, errors: String) {
        self.status = status
        self.output = output
        self.errors = errors
    }
}

/// Runs the interface's commands exactly as the CLI runs them (with `--json`, on the
/// interface's data folder), so the browser and the command line write the same events.
public protocol UICommandRunner: Sendable {
    /// Runs `line` to its end; one at a time, since each takes the data folder's lock.
    func run(_ line: UICommandLine) async -> UICommandResult
}

/// `fieldkit ui`: the technicians' interface in the laptop's own browser, on loopback only,
/// every request guarded by the key printed at start (docs/ui.md).
public struct TechnicianUI: Sendable {
    /// Where and how the interface listens.
    public struct Configuration: Sendable {
        /// A loopback address; port 0 picks a free one.
        public var listen: ListenAddress
        /// The per-start key: in the printed address, then in a cookie, and in every form.
        public var token: String
        /// The data folder, where the interface keeps the device's language (`ui-language`).
        public var dataFolder: String
        /// The language when none was chosen on this device yet.
        public var defaultLanguage: String
        /// Whether SIGINT and SIGTERM stop the interface.
        public var handlesSignals: Bool
        /// A code the browser `--open` starts may use once, instead of the key, so the key
        /// never appears in another process's arguments (`/?launch=CODE`).
        public var launchCode: String?

        /// The interface's settings; `launchCode` only when a browser is started for it.
        public init(
            listen: ListenAddress, token: String, dataFolder: String, defaultLanguage: String,
            handlesSignals: Bool = true, launchCode: String? = nil
        ) {
            self.listen = listen
            self.token = token
            self.launchCode = launchCode
            self.dataFolder = dataFolder
            self.defaultLanguage = defaultLanguage
            self.handlesSignals = handlesSignals
        }
    }

    let commands: any UICommandRunner
    let configuration: Configuration
    let logger: Logger
    let onListening: @Sendable (String, Int) async -> Void
    let port: PortBox
    let notices: NoticeBox

    /// The interface over `commands`; `onListening` is told the host and port once it accepts
    /// connections. Refuses an address beyond loopback and a key shorter than 32 characters.
    public init(
        commands: any UICommandRunner, configuration: Configuration, logger: Logger,
        onListening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }
    ) throws(ServerFailure) {
        guard configuration.listen.isLoopback else { throw .interfaceNotLoopback(configuration.listen.description) }
        guard configuration.token.count >= 32 else { throw .interfaceKeyTooShort }
        self.commands = commands
        self.configuration = configuration
        self.logger = logger
        self.onListening = onListening
        self.port = PortBox(configuration.listen.port)
        self.notices = NoticeBox()
    }

    /// Serves until SIGINT or SIGTERM (when it handles them) or until the task is cancelled.
    public func run() async throws {
        let port = port
        let onListening = onListening
        let application = Application(
            router: router(),
            configuration: .init(address: .hostname(configuration.listen.host, port: configuration.listen.port)),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? 0
                port.set(bound)
                await onListening(configuration.listen.host, bound)
            }, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [application],
                gracefulShutdownSignals: configuration.handlesSignals ? [.sigterm, .sigint] : [], logger: logger))
        try await group.run()
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.middlewares.add(
            UIGuard(
                token: configuration.token, launch: LaunchCode(configuration.launchCode),
                host: configuration.listen.host,
                port: port, logger: logger))
        router.get("/ui.css") { _, _ in TechnicianUI.asset(UIHTML.css, type: "text/css; charset=utf-8") }
        router.get("/ui.js") { _, _ in TechnicianUI.asset(UIHTML.script, type: "text/javascript; charset=utf-8") }
        addReadingRoutes(to: router)
        addRecordingRoutes(to: router)
        return router
    }

    // MARK: - What every page uses

    /// The device's interface language: chosen in the interface, else the default.
    func language() -> String {
        let file = configuration.dataFolder + "/ui-language"
        guard let chosen = try? FileLayer.readText(file, limit: 16) else { return configuration.defaultLanguage }
        let code = chosen.trimmingCharacters(in: .whitespacesAndNewlines)
        return UIText.languages.contains(code) ? code : configuration.defaultLanguage
    }

    /// The frame of a page: language, key, and the device's site and backlog from `status`.
    func frame(_ section: String) async -> UIHTML.Frame {
        let text = UIText(language())
        var frame = UIHTML.Frame(text: text, token: configuration.token, section: section)
        frame.warnings = notices.take()
        if case .success(let status) = await json(UIViews.Status.self, UICommandLine(["status"])) {
            frame.site = status.site
            frame.device = status.name
            frame.pending = status.undelivered
            frame.lastReceipt = status.lastReceipt
        }
        return frame
    }

    /// Runs `line` and decodes what it printed; a refusal carries the command's own words.
    func json<T: Decodable>(_ type: T.Type, _ line: UICommandLine) async -> Result<T, UIRefusal> {
        let result = await commands.run(line)
        guard result.status == 0 else { return .failure(UIRefusal(result)) }
        // A command's warnings (a clock that looks wrong, a training not signed off) reach the
        // technician on the next page, as they would reach the terminal.
        notices.add(
            result.errors.split(separator: "\n").filter { $0.hasPrefix("warning: ") }
                .map { String($0.dropFirst("warning: ".count)) })
        do {
            return .success(try JSONDecoder().decode(T.self, from: Data(result.output.utf8)))
        } catch {
            logger.error("the interface could not read the JSON of \(line.path.joined(separator: " "))")
            return .failure(
                UIRefusal(
                    status: 70, message: "fieldkit's answer to \(line.path.joined(separator: " ")) could not be read",
                    hint: "this is a bug; please report it"))
        }
    }

    /// An HTML answer that is never cached, framed, or allowed to load anything from elsewhere.
    static func html(_ page: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: securityHeaders(type: "text/html; charset=utf-8"),
            body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
    }

    /// A redirect after a successful post, so a reload never posts twice.
    static func seeOther(_ location: String) -> Response {
        var headers = securityHeaders(type: "text/plain; charset=utf-8")
        headers[.location] = location
        return Response(status: .seeOther, headers: headers)
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok, headers: securityHeaders(type: type), body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func securityHeaders(type: String) -> HTTPFields {
        var headers: HTTPFields = [
            .contentType: type, .cacheControl: "no-store",
            .contentSecurityPolicy:
                "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; "
                + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ]
        headers[TechnicianUI.field("X-Content-Type-Options")] = "nosniff"
        headers[TechnicianUI.field("Referrer-Policy")] = "same-origin"
        return headers
    }

    static func field(_ name: String) -> HTTPField.Name {
        guard let field = HTTPField.Name(name) else { preconditionFailure("\(name) is not a header name") }
        return field
    }

    /// The largest form body taken (a repair's text fields are 2,000 characters each).
    static let formLimit = 256 << 10

    /// A form body with the line breaks browsers send from a text area (CR LF, encoded) made
    /// plain LF: the store refuses control characters in text, and CR is one.
    static func unixLineBreaks(_ body: String) -> String {
        body.replacingOccurrences(of: "%0D%0A", with: "%0A", options: .caseInsensitive)
            .replacingOccurrences(of: "%0D", with: "%0A", options: .caseInsensitive)
    }

    /// Reads a posted form after checking it carries the key; a form without it is refused.
    func form<T: UIForm>(_ type: T.Type, from request: Request) async throws -> T {
        let body = try await request.body.collect(upTo: TechnicianUI.formLimit)
        let decoded: T
        do {
            decoded = try URLEncodedFormDecoder().decode(
                T.self, from: TechnicianUI.unixLineBreaks(String(buffer: body)))
        } catch {
            throw UIGuard<BasicRequestContext>.refusal(.badRequest, "the form could not be read")
        }
        guard let offered = decoded.token, Secret.equal(offered, configuration.token) else {
            throw UIGuard<BasicRequestContext>.refusal(.forbidden, "the form does not carry this start's key")
        }
        return decoded
    }
}

/// A posted form: every one carries the key.
protocol UIForm: Decodable {
    var token: String? { get }
}

/// Warnings of successful commands, shown once on the next page.
final class NoticeBox: Sendable {
    private let pending = Mutex<[String]>([])

    func add(_ notices: [String]) {
        guard !notices.isEmpty else { return }
        pending.withLock { $0 += notices }
    }

    func take() -> [String] {
        pending.withLock { pending in
            let notices = pending
            pending = []
            return notices
        }
    }
}

/// The port the interface is bound to, known once it listens.
final class PortBox: Sendable {
    private let value: Mutex<Int>

    init(_ port: Int) { value = Mutex(port) }

    func get() -> Int { value.withLock { $0 } }

    func set(_ port: Int) { value.withLock { $0 = port } }
}
