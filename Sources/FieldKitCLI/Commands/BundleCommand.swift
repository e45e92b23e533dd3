import ArgumentParser
import FieldKitBundles
import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import Foundation

/// `fieldkit bundle pack|verify|info|install|embed`.
struct BundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle", abstract: "Pack, check, install and embed signed content bundles.",
        subcommands: [Pack.self, Verify.self, Info.self, Install.self, Embed.self])

    /// What `verify`, `info` and `install` print with `--json`.
    struct Summary: Codable, Equatable {
        var file: String
        var version: Int64
        var created: String
        var expires: String
        var sha256: String
        var guides: Int
        var checklists: Int
        var instruments: Int
        var trustVersion: Int64
        var development: Bool
        var root: String

        init(file: String, bundle: VerifiedBundle) {
            self.file = file
            version = bundle.content.info.version
            created = bundle.content.info.created
            expires = bundle.content.info.expires
            sha256 = bundle.sha256
            guides = bundle.content.guides.count
            checklists = bundle.content.checklists.count
            instruments = bundle.content.inventory.count
            trustVersion = bundle.trust.version
            development = bundle.trust.development
            root = bundle.trust.root
        }

        func lines() -> [String] {
            [
                "Bundle \(file): version \(version), created \(created), expires \(expires)\(development ? " (DEVELOPMENT)" : "")",
                "Content: \(guides) guides, \(checklists) checklists, \(instruments) instruments",
                "Trusted under root \(root), trust statement version \(trustVersion)",
                "SHA-256: \(sha256)",
            ]
        }
    }

    /// `bundle pack SOURCES --key SIGNING.key --trust DIR --out FILE`.
    struct Pack: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "pack",
            abstract: "Lint the sources, generate the inventory, pack and sign a bundle.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The bundle sources folder (Bundles).")
        var sources: String

        @Option(help: "The signing secret key (SIGNING.key).")
        var key: String

        @Option(help: "The folder holding trust.json and trust.json.minisig naming that key.")
        var trust: String

        @Option(help: "The bundle file to write (e.g. fieldkit-bundle-1.tar.zst).")
        var out: String

        @Option(
            help:
                "A snapshot folder made by 'fieldkit hub snapshot': its inventory and watermarks replace the generated inventory."
        )
        var snapshot: String?

        func run(in context: CommandContext) throws {
            let signing = try DeviceKeys.loadSigningKey(key)
            let trustJSON = try FileLayer.read(trust + "/" + TrustStatement.fileName, limit: TrustStatement.sizeLimit)
            let trustSignature = try FileLayer.read(trust + "/" + TrustStatement.fileName + ".minisig", limit: 8192)
            guard let statement = try? JSONDecoder().decode(TrustStatement.self, from: trustJSON) else {
                throw TrustFailure.malformed("\(trust)/trust.json is not a trust statement")
            }
            guard try statement.signingKeys().contains(signing.publicKey) else {
                throw TrustFailure.unnamedSigningKey(signing.keyID.minisignHex)
            }
            var content = try BundleFile.content(from: try BundleSource.load(sources))
            if let snapshot {
                let (info, inventory) = try SnapshotFiles.read(snapshot)
                content.inventory = inventory
                content.info.instruments = inventory.count
                content.info.watermarks = info.watermarks
            }
            let outFolder = (out as NSString).deletingLastPathComponent
            if !outFolder.isEmpty { try FileLayer.makeFolder(outFolder, mode: 0o755) }
            _ = try BundleFile.pack(
                content, to: out, key: signing, trustJSON: trustJSON, trustSignature: trustSignature)
            // Root handovers travel with the statement, so devices pinned to an older root follow them.
            let handovers = try TrustFiles.read(in: trust).handovers
            try TrustFiles(json: trustJSON, signature: trustSignature, handovers: handovers).write(
                into: outFolder.isEmpty ? "." : outFolder
            ) { data, path in try FileLayer.writeAtomically(data, to: path) }
            if global.json {
                try context.printJSON([
                    "file": out, "version": "\(content.info.version)", "guides": "\(content.guides.count)",
                    "instruments": "\(content.inventory.count)",
                ])
            } else {
                context.console.out(
                    "Packed \(out): version \(content.info.version), \(content.guides.count) guides, "
                        + "\(content.checklists.count) checklists, \(content.inventory.count) instruments.")
                context.console.out("Signed with key \(signing.keyID); trust.json is beside it.")
            }
        }
    }

    /// The bundle file and the root to check it against, shared by `verify` and `info`.
    struct Checked: ParsableArguments {
        @Argument(help: "The bundle file.")
        var file: String

        @Option(help: "The root public key to check against (default: the device's pinned root).")
        var root: String?

        /// The bundle, verified in full, and its summary.
        func verified(_ global: GlobalOptions, context: CommandContext) throws -> (VerifiedBundle, Summary) {
            let rootKey = try BundleCommand.root(root, global: global, context: context)
            let verified = try BundleParts.read(file).verify(root: rootKey)
            return (verified, Summary(file: file, bundle: verified))
        }
    }

    /// `bundle verify FILE [--root ROOT.pub]`.
    struct Verify: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check a bundle: its trust statement, signature, statement and every entry.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var bundle: Checked

        func run(in context: CommandContext) throws {
            let (_, summary) = try bundle.verified(global, context: context)
            if global.json { return try context.printJSON(summary) }
            summary.lines().forEach(context.console.out)
            context.console.out("The bundle is valid.")
        }
    }

    /// `bundle info FILE`: what the bundle holds, after the same checks as `verify`.
    struct Info: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "info", abstract: "Show a bundle's version, dates and content.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var bundle: Checked

        func run(in context: CommandContext) throws {
            let (verified, summary) = try bundle.verified(global, context: context)
            if global.json { return try context.printJSON(summary) }
            summary.lines().forEach(context.console.out)
            let families = Dictionary(grouping: verified.content.guides, by: \.family).map {
                "\($0.key) \($0.value.count)"
            }
            context.console.out("Guides by family: \(families.sorted().joined(separator: ", "))")
            context.console.out("Sites: \(verified.content.sites.count); parts: \(verified.content.parts.count)")
        }
    }

    /// `bundle install FILE`.
    struct Install: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "install",
            abstract: "Install a bundle signed under the pinned root; older versions are refused.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The bundle file.")
        var file: String

        func run(in context: CommandContext) throws {
            let (store, lock, _) = try global.openStore(context)
            defer { withExtendedLifetime(lock) {} }
            guard let root = try ContentAccess.pinnedRoot(store) else {
                throw CLIFailure.refused(
                    "this device has no headquarters root pinned, so it cannot install bundles from files",
                    hint: "set the device up with 'fieldkit init --hq-root ROOT.pub'", status: .dataError)
            }
            let verified = try BundleParts.read(file).verify(root: root)
            guard !verified.trust.development else {
                throw CLIFailure.refused(
                    "the bundle is vouched for by a development trust statement",
                    hint: "install bundles published by headquarters", status: .dataError)
            }
            let today = String(EventTime.wallString(context.environment.now()).prefix(10))
            if verified.trust.isExpired(today: today) {
                context.console.err(SyncCommand.trustExpiredWarning(verified.trust.expires))
            }
            if verified.root != root {
                // Headquarters moved to a new root and the old one handed over to it.
                try store.pinRoot(
                    verified.root.fileText(), root: verified.root.keyID.minisignHex, previous: root.keyID.minisignHex,
                    wall: EventTime.wallString(context.environment.now()))
                context.console.err(
                    "note: headquarters' root moved from \(root.keyID) to \(verified.root.keyID) through a signed handover; the new root is pinned"
                )
            }
            let expired = try ContentLibrary(store: store).install(
                verified, root: verified.root, installedWall: EventTime.wallString(context.environment.now()))
            if expired {
                context.console.err(
                    "warning: this bundle expired on \(verified.content.info.expires); installed anyway")
            }
            let summary = Summary(file: file, bundle: verified)
            if global.json { return try context.printJSON(summary) }
            summary.lines().forEach(context.console.out)
            context.console.out("Installed.")
        }
    }

    /// `bundle embed FILE --into EXE --out EXE2 --root ROOT.pub`.
    struct Embed: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "embed",
            abstract: "Write a copy of an executable that carries a bundle and headquarters' root (a field edition).")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The bundle file.")
        var file: String

        @Option(help: "The executable to copy.")
        var into: String

        @Option(help: "The new executable to write.")
        var out: String

        @Option(help: "Headquarters' root public key, carried in the copy and pinned by 'init'.")
        var root: String

        func run(in context: CommandContext) throws {
            let rootKey = try DeviceKeys.loadPublicKey(root)
            let parts = try BundleParts.read(file)
            let verified = try parts.verify(root: rootKey)
            try ExecutablePayload.write(
                executable: into, output: out,
                contents: .init(parts: parts, root: Data(rootKey.fileText().utf8)))
            if global.json {
                try context.printJSON([
                    "file": out, "version": "\(verified.content.info.version)", "root": rootKey.fingerprint,
                ])
            } else {
                context.console.out(
                    "Wrote \(out) carrying bundle version \(verified.content.info.version) and root \(rootKey.keyID) "
                        + "(fingerprint \(rootKey.fingerprint)).")
            }
        }
    }

    /// `--root`, else the device's pinned root.
    static func root(_ path: String?, global: GlobalOptions, context: CommandContext) throws -> MinisignPublicKey {
        if let path { return try DeviceKeys.loadPublicKey(path) }
        let (store, lock, _) = try global.openStore(context)
        defer { withExtendedLifetime(lock) {} }
        guard let root = try ContentAccess.pinnedRoot(store) else {
            throw CLIFailure.usage(
                "no root to check against: the device has none pinned", hint: "pass --root ROOT.pub")
        }
        return root
    }
}
