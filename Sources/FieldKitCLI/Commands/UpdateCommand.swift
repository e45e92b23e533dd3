import ArgumentParser
import FieldKitCore
import FieldKitStore
import FieldKitSync
import Foundation

/// `fieldkit update FILE`: replace this executable with a newer one carried on a stick.
struct UpdateCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract:
            "Replace this fieldkit with a newer one signed by headquarters (the old one is kept as fieldkit.previous).",
        discussion: """
            FILE must have its .minisig (and .chunks) and headquarters' trust.json beside it, as \
            'fieldkit hub release' writes them. It must be signed under the root this device pinned and \
            be a newer version. The swap is one rename: a failure leaves the old executable in place.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The new executable, with its signature and trust.json beside it.")
    var file: String

    @Option(help: .hidden)
    var executable: String?

    func run(in context: CommandContext) throws {
        let (store, lock, _) = try global.openStore(context)
        defer { withExtendedLifetime(lock) {} }
        guard let root = try ContentAccess.pinnedRoot(store) else {
            throw CLIFailure.refused(
                "this device has no headquarters root pinned, so it cannot check an executable",
                hint: "set the device up with 'fieldkit init --hq-root ROOT.pub', or use a field edition",
                status: .dataError)
        }
        let target = try executable ?? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let swap = try ExecutableRelease.swap(
            file, into: target, root: root,
            acceptedTrust: try store.installedTrustVersion(root: root.keyID.minisignHex),
            current: FieldKitVersion.number,
            today: String(EventTime.wallString(context.environment.now()).prefix(10)),
            fault: context.environment.variables["FIELDKIT_TEST_FAULT"] == "update-swap")
        if let expired = swap.trustExpired {
            context.console.err(SyncCommand.trustExpiredWarning(expired))
        }
        if global.json { return try context.printJSON(swap) }
        guard !swap.alreadyInPlace else {
            return context.console.out("\(swap.executable) is already this release (\(swap.to)); nothing changed.")
        }
        context.console.out("Updated \(swap.executable) from \(swap.from) to \(swap.to).")
        context.console.out("The old one is kept as \(swap.previous); copy it back if the new one misbehaves.")
    }
}
