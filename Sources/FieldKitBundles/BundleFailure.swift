import FieldKitCore

/// Failures of reading, linting, packing, verifying and installing bundles.
public enum BundleFailure: Error, Equatable, Sendable {
    /// A source file is missing or does not parse.
    case source(path: String, reason: String)
    /// The lint found problems; each is one line.
    case lint([String])
    /// The packed bundle is not what its statement says (kind, version, size).
    case statement(String)
    /// The bundle's JSON content does not decode.
    case content(String)
    /// An older bundle from the same root than the installed one.
    case older(offered: Int64, installed: Int64)
    /// No bundle is installed and none is carried by the executable.
    case noBundle
    /// A guide, checklist or instrument that does not exist.
    case notFound(what: String, id: String, suggestions: [String])
    /// The executable's appended payload is damaged.
    case payload(String)
}

extension BundleFailure: FieldKitError {
    public var message: String {
        switch self {
        case .source(let path, let reason): "\(path): \(reason)"
        case .lint(let findings):
            "the bundle sources have \(findings.count) problem(s):\n"
                + findings.map { "  - \($0)" }.joined(separator: "\n")
        case .statement(let reason): "the bundle's signed statement does not match: \(reason)"
        case .content(let reason): "the bundle's content is invalid: \(reason)"
        case .older(let offered, let installed):
            "the bundle is version \(offered), older than the installed version \(installed) from the same root"
        case .noBundle: "no content bundle is installed"
        case .notFound(let what, let id, let suggestions):
            "no \(what) \"\(id)\""
                + (suggestions.isEmpty ? "" : "; did you mean \(suggestions.joined(separator: ", "))?")
        case .payload(let reason): "the executable's embedded bundle is damaged: \(reason)"
        }
    }

    public var hint: String? {
        switch self {
        case .source, .lint: "fix the sources in Bundles/ (docs/content-format.md) and pack again"
        case .statement, .content: "do not use this file; get a fresh copy from headquarters"
        case .older: "install the newest bundle from headquarters; an older one cannot replace it"
        case .noBundle: "install one with 'fieldkit bundle install FILE'"
        case .notFound(let what, _, _):
            what == "instrument type"
                ? "use a type the bundle knows (violin, cello, trumpet, …; see Bundles/instruments.yaml)"
                : "list what exists with 'fieldkit \(what == "instrument" ? "instrument find" : what + " list")'"
        case .payload: "copy the executable again from its source"
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .source: .noInput
        case .lint, .statement, .content, .older, .payload, .notFound: .dataError
        case .noBundle: .unavailable
        }
    }
}
