import ArgumentParser
import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import Foundation

/// `fieldkit status`: who this device is and what its store holds.
struct StatusCommand: ParsableCommand, ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show this device, its site, keys and what the store holds.")

    @OptionGroup var global: GlobalOptions

    /// The `--json` shape: stable; new keys may be added, none renamed.
    struct Report: Codable, Equatable {
        struct LastEvent: Codable, Equatable {
            var type: String
            var seq: Int64
            var date: String
            var wall: String
        }

        var device: String
        var name: String
        var site: String?
        var keyID: String
        var fingerprint: String
        var predecessor: String?
        var hqRoot: String?
        var dataFolder: String
        var events: Int
        var undelivered: Int
        var people: Int
        var repairs: Int
        var trainings: Int
        var bundle: String?
        var lastEvent: LastEvent?
        /// The version of the newest receipt from headquarters applied here (nil: none yet).
        var lastReceipt: Int64?
    }

    func run(in context: CommandContext) throws {
        let (store, lock, folder) = try global.openStore(context)
        defer { withExtendedLifetime(lock) {} }
        let device = try store.device()
        let key = try DeviceKeys.publicKey(in: folder)
        let counts = try store.counts()
        let last = try store.newestEvent()
        let records = try store.recordCounts()
        let bundle = try store.installedBundle()
        let root = try device.hqRoot.map { text throws(CryptoFailure) in try MinisignPublicKey(text: text) }
        let report = Report(
            device: device.id, name: device.name, site: device.currentSite, keyID: key.keyID.minisignHex,
            fingerprint: key.fingerprint, predecessor: device.predecessor, hqRoot: root?.fingerprint,
            dataFolder: folder, events: counts.events, undelivered: counts.undelivered, people: counts.people,
            repairs: records["repair"] ?? 0, trainings: records["training"] ?? 0,
            bundle: bundle.map { "version \($0.version)\($0.development ? " (development)" : "")" },
            lastEvent: last.map {
                .init(type: $0.event.type, seq: $0.event.seq, date: $0.event.date, wall: $0.event.wall)
            }, lastReceipt: try store.lastReceiptVersion().nonZero)
        if global.json { return try context.printJSON(report) }
        let out = context.console.out
        out("Device:      \(report.name) (\(report.device))")
        out("Site:        \(report.site ?? "none set")")
        out("Key:         \(report.keyID), fingerprint \(report.fingerprint)")
        if let predecessor = report.predecessor { out("Restored from device \(predecessor)") }
        out("HQ root:     \(report.hqRoot ?? "none pinned (development bundle only)")")
        out("Events:      \(report.events) (\(report.undelivered) not yet delivered to headquarters)")
        out("Records:     \(report.repairs) repairs, \(report.trainings) training sessions")
        out("People:      \(report.people)")
        out("Bundle:      \(report.bundle ?? "none installed yet")")
        if let last = report.lastEvent {
            out("Last event:  \(last.type) #\(last.seq) on \(last.date)")
        }
        out("Last receipt: \(report.lastReceipt.map { "#\($0)" } ?? "none yet")")
        out("Data folder: \(folder)")
    }
}

extension Int64 {
    /// The value, or nil when it is 0 ("none").
    var nonZero: Int64? { self == 0 ? nil : self }
}
