import FieldKitBundles
import FieldKitCore
import FieldKitCrypto
import FieldKitDefaultContent
import FieldKitStore
import Foundation

/// Where a device's content comes from when nothing is installed yet, and which root vouches.
enum ContentAccess {
    /// The bundle this executable carries: a field edition's payload, else the development bundle.
    struct BuiltIn {
        var parts: BundleParts
        var root: MinisignPublicKey
        var development: Bool
    }

    static func builtIn() throws -> BuiltIn {
        if let payload = try ExecutablePayload.read() {
            let root = try MinisignPublicKey(text: String(decoding: payload.root, as: UTF8.self))
            return BuiltIn(parts: payload.parts, root: root, development: false)
        }
        let root = try MinisignPublicKey(text: String(decoding: DefaultContent.root, as: UTF8.self))
        return BuiltIn(
            parts: BundleParts(
                bundle: DefaultContent.bundle, signature: DefaultContent.signature,
                trustJSON: DefaultContent.trustJSON, trustSignature: DefaultContent.trustSignature),
            root: root, development: true)
    }

    /// The library of `store`, installing the built-in bundle first when none is installed.
    static func library(_ store: Store, context: CommandContext) throws -> ContentLibrary {
        let library = ContentLibrary(store: store)
        if try store.installedBundle() == nil {
            let builtIn = try builtIn()
            let verified = try builtIn.parts.verify(root: builtIn.root)
            let expired = try library.install(
                verified, root: builtIn.root, installedWall: EventTime.wallString(context.environment.now()))
            context.console.err(
                "note: installed the \(builtIn.development ? "development " : "")bundle built into fieldkit "
                    + "(version \(verified.content.info.version))")
            if expired { context.console.err("warning: that bundle expired on \(verified.content.info.expires)") }
        }
        return library
    }

    /// The development root compiled into every build.
    static func developmentRoot() throws -> MinisignPublicKey {
        try MinisignPublicKey(text: String(decoding: DefaultContent.root, as: UTF8.self))
    }

    /// The root this device checks bundles and receipts against: the pinned one.
    static func pinnedRoot(_ store: Store) throws -> MinisignPublicKey? {
        try store.device().hqRoot.map { try MinisignPublicKey(text: $0) }
    }
}

/// The `--lang` option: the language a person wants to read.
enum LanguageChoice {
    /// `explicit`, else `FIELDKIT_LANG`, else the locale's language when it is nl or pap, else en.
    static func resolve(_ explicit: String?, variables: [String: String]) throws -> String {
        let candidate =
            explicit ?? variables["FIELDKIT_LANG"]
            ?? {
                let locale = (variables["LC_ALL"] ?? variables["LANG"] ?? "").lowercased()
                if locale.hasPrefix("nl") { return "nl" }
                if locale.hasPrefix("pap") { return "pap" }
                return "en"
            }()
        guard Language.all.contains(candidate) else {
            throw CLIFailure.usage("unknown language \"\(candidate)\"", hint: "use nl, en or pap")
        }
        return candidate
    }

    /// The note shown when content falls back to another language.
    static func note(requested: String, shown: String) -> String? {
        requested == shown ? nil : "note: no \(name(requested)) text; showing \(name(shown))"
    }

    static func name(_ code: String) -> String {
        switch code {
        case "nl": "Dutch"
        case "pap": "Papiamentu"
        default: "English"
        }
    }
}
