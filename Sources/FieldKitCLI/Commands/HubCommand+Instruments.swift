import ArgumentParser
import FieldKitBundles
import FieldKitCore
import FieldKitStore
import FieldKitSync
import Foundation

extension HubCommand {
    /// `fieldkit hub instrument add|retire|confirm|map`: headquarters' master data (Sync/SPEC.md §17).
    struct InstrumentCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "instrument",
            abstract: "Add, retire, confirm or map instruments; each decision reaches the laptops in their receipts.",
            subcommands: [Add.self, Retire.self, Confirm.self, Map.self])

        /// `LO-VN-`: the depot's tag prefix (from the snapshot's tags) and the type's two letters.
        static func prefix(type: String, library: ContentLibrary, store: Store) throws -> String {
            let types = try library.instrumentTypes()
            guard let kind = types.first(where: { $0.id == type.lowercased() }) else {
                throw BundleFailure.notFound(
                    what: "instrument type", id: type, suggestions: Suggest.nearest(type, in: types.map(\.id)))
            }
            let depot = try store.snapshotTags().first.flatMap { $0.split(separator: "-").first }.map(String.init)
            return "\(depot ?? "LO")-\(kind.code)-"
        }

        /// What each decision prints with `--json`.
        struct Decision: Encodable {
            var event: String
            var type: String
            var tag: String
            var provisional: String?
        }

        static func report(_ stored: StoredEvent, global: GlobalOptions, context: CommandContext, text: String) throws {
            let payload = stored.event.payload
            if global.json {
                return try context.printJSON(
                    Decision(
                        event: stored.event.id, type: stored.event.type, tag: payload["tag"]?.stringValue ?? "",
                        provisional: payload["provisional"]?.stringValue))
            }
            context.console.out(text)
            context.console.out(
                "Laptops learn it with their next receipt; 'hub snapshot' folds it into the next bundle.")
        }
    }

    /// `fieldkit hub snapshot --out DIR`.
    struct Snapshot: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "snapshot",
            abstract: "Write a new inventory snapshot from headquarters' state, for 'bundle pack --snapshot DIR'.",
            discussion: """
                The snapshot folds, for each device, its events up to the seq through which headquarters holds \
                its log without a gap (its watermark); later events fold on top of it on every laptop.
                """)

        @OptionGroup var global: GlobalOptions

        @Option(help: "The folder to write inventory.jsonl and snapshot.json into.")
        var out: String

        func run(in context: CommandContext) throws {
            let (store, lock, _) = try HubCommand.openHub(global, context)
            defer { withExtendedLifetime(lock) {} }
            let snapshot = try store.makeSnapshot()
            let info = try SnapshotFiles.write(
                snapshot, created: EventTime.wallString(context.environment.now()), to: out)
            if global.json { return try context.printJSON(info) }
            context.console.out(
                "Wrote a snapshot of \(info.instruments) instruments to \(out), folding the events of "
                    + "\(info.watermarks.count) device(s) up to their watermarks.")
            context.console.out("Next: fieldkit bundle pack SOURCES --snapshot \(out) …, then fieldkit hub publish.")
        }
    }
}

extension HubCommand.InstrumentCommand {
    /// `hub instrument add --type TYPE …`.
    struct Add: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Take a new instrument into the depot under a new tag.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "The instrument type (violin, cello, trumpet, …).")
        var type: String

        @Option(help: "Its size (4/4, 3/4, …).")
        var size: String?

        @Option(help: "Its maker.")
        var maker: String?

        @Option(help: "Its serial number.")
        var serial: String?

        @Option(help: "The site it is at (default: DEPOT).")
        var site: String?

        func run(in context: CommandContext) throws {
            let (store, lock, _) = try HubCommand.openHub(global, context)
            defer { withExtendedLifetime(lock) {} }
            let library = ContentLibrary(store: store)
            let prefix = try HubCommand.InstrumentCommand.prefix(type: type, library: library, store: store)
            if let site, !(try store.siteExists(site.uppercased())) {
                throw CLIFailure.refused(
                    "no site \"\(site)\"", hint: "list the sites with 'fieldkit site list'", status: .dataError)
            }
            var details: [String: String] = [:]
            for (key, value) in [("size", size), ("maker", maker), ("serial", serial)] {
                if let value { details[key] = try Text.normalised(value, field: "--\(key)") }
            }
            let stored = try store.addInstrument(
                prefix: prefix, type: type.lowercased(), details: details, site: site?.uppercased(),
                environment: context.environment)
            try HubCommand.InstrumentCommand.report(
                stored, global: global, context: context,
                text: "Added \(type.lowercased()) as \(stored.event.payload["tag"]?.stringValue ?? "?").")
        }
    }

    /// `hub instrument retire TAG --reason TEXT`.
    struct Retire: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "retire", abstract: "Retire an instrument: its status becomes retired.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The depot tag.")
        var tag: String

        @Option(help: "Why, for the record (\"beyond repair: cracked back\").")
        var reason: String

        func run(in context: CommandContext) throws {
            let (store, lock, _) = try HubCommand.openHub(global, context)
            defer { withExtendedLifetime(lock) {} }
            let stored = try store.retireInstrument(
                Tag.normalised(tag), reason: try Text.normalised(reason, field: "--reason"),
                environment: context.environment)
            try HubCommand.InstrumentCommand.report(
                stored, global: global, context: context, text: "Retired \(Tag.normalised(tag)).")
        }
    }

    /// `hub instrument confirm PROVISIONAL`.
    struct Confirm: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "confirm",
            abstract: "Accept a field registration as a new depot instrument under a new tag.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The provisional tag (P-…).")
        var provisional: String

        func run(in context: CommandContext) throws {
            let (store, lock, _) = try HubCommand.openHub(global, context)
            defer { withExtendedLifetime(lock) {} }
            let tag = provisional.uppercased()
            guard let state = try store.instrumentState(tag: tag) else { throw StoreFailure.noSuchInstrument(tag) }
            let prefix = try HubCommand.InstrumentCommand.prefix(
                type: state.type, library: ContentLibrary(store: store), store: store)
            let stored = try store.decideProvisional(tag, to: nil, prefix: prefix, environment: context.environment)
            try HubCommand.InstrumentCommand.report(
                stored, global: global, context: context,
                text: "Confirmed \(tag) as \(stored.event.payload["tag"]?.stringValue ?? "?").")
        }
    }

    /// `hub instrument map PROVISIONAL --to TAG`.
    struct Map: ParsableCommand, ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "map",
            abstract: "Record that a field registration was a known depot instrument all along.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The provisional tag (P-…).")
        var provisional: String

        @Option(help: "The depot tag it is.")
        var to: String

        func run(in context: CommandContext) throws {
            let (store, lock, _) = try HubCommand.openHub(global, context)
            defer { withExtendedLifetime(lock) {} }
            let tag = provisional.uppercased()
            let stored = try store.decideProvisional(
                tag, to: Tag.normalised(to), prefix: "", environment: context.environment)
            try HubCommand.InstrumentCommand.report(
                stored, global: global, context: context, text: "Mapped \(tag) to \(Tag.normalised(to)).")
        }
    }
}
