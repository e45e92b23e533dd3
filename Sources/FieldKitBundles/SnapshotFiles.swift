import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import Foundation

/// The files `hub snapshot --out DIR` writes and `bundle pack --snapshot DIR` reads
/// (Sync/SPEC.md §17): `inventory.jsonl`, one instrument per line as in a bundle, and
/// `snapshot.json` with the watermarks.
public enum SnapshotFiles {
    /// `snapshot.json`.
    public struct Info: Codable, Equatable, Sendable {
        public var format: Int
        public var created: String
        public var instruments: Int
        /// SHA-256 of `inventory.jsonl`: the two files are one snapshot.
        public var inventorySHA256: String
        /// Per device, the seq through which the snapshot folds its events.
        public var watermarks: [String: Int64]
    }

    /// Writes `snapshot` into `folder` (the inventory first, `snapshot.json` last, each atomically).
    public static func write(_ snapshot: HubSnapshot, created: String, to folder: String) throws -> Info {
        try FileLayer.makeFolder(folder, mode: 0o755)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var lines = Data()
        for instrument in snapshot.instruments {
            lines.append(try encoder.encode(instrument))
            lines.append(0x0A)
        }
        try FileLayer.writeAtomically(lines, to: folder + "/inventory.jsonl")
        let info = Info(
            format: 1, created: created, instruments: snapshot.instruments.count,
            inventorySHA256: Hashing.sha256Hex(lines), watermarks: snapshot.watermarks)
        try FileLayer.writeAtomically(try encoder.encode(info), to: folder + "/snapshot.json")
        return info
    }

    /// Reads a snapshot folder: its info and its instruments, refusing anything out of shape.
    public static func read(_ folder: String) throws(BundleFailure) -> (info: Info, inventory: [InventoryItem]) {
        let decoder = JSONDecoder()
        let infoData: Data
        let lines: Data
        do {
            infoData = try FileLayer.read(folder + "/snapshot.json", limit: 16 << 20)
            lines = try FileLayer.read(folder + "/inventory.jsonl", limit: BundleFile.limits.maximumEntrySize)
        } catch { throw .content("the snapshot in \(folder) cannot be read: \(error.message)") }
        guard let info = try? decoder.decode(Info.self, from: infoData), info.format == 1 else {
            throw .content("\(folder)/snapshot.json is not a snapshot fieldkit wrote")
        }
        guard Hashing.sha256Hex(lines) == info.inventorySHA256 else {
            throw .content(
                "\(folder)/inventory.jsonl is not the inventory \(folder)/snapshot.json was written with (an interrupted 'hub snapshot'?)"
            )
        }
        var inventory: [InventoryItem] = []
        for line in lines.split(separator: 0x0A) {
            guard let item = try? decoder.decode(InventoryItem.self, from: Data(line)) else {
                throw .content("\(folder)/inventory.jsonl has a line that is not an instrument")
            }
            inventory.append(item)
        }
        guard inventory.count == info.instruments else {
            throw .content("\(folder)/inventory.jsonl holds \(inventory.count) instruments, not \(info.instruments)")
        }
        guard info.watermarks.allSatisfy({ $0.value >= 0 }) else {
            throw .content("\(folder)/snapshot.json has a negative watermark")
        }
        return (info, inventory)
    }
}
