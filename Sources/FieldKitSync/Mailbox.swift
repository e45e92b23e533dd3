import FieldKitCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The one folder layout a stick, a shared folder and the hub share (Sync/SPEC.md §9):
/// `fieldkit-sync/outbound/<device>/`, `fieldkit-sync/inbound/<device>/`, `fieldkit-sync/enrol/`.
///
/// Names are lower-case hex and digits only (no `:`), so they stay distinct on FAT32, which
/// compares names case-insensitively. Nothing is ever renamed over an existing name.
public struct Mailbox: Sendable, Hashable {
    /// The folder that holds `fieldkit-sync` (the stick's mount point).
    public let folder: String

    /// The mailbox in `folder`.
    public init(folder: String) {
        self.folder = folder.count > 1 && folder.hasSuffix("/") ? String(folder.dropLast()) : folder
    }

    /// The top folder's name.
    public static let rootName = "fieldkit-sync"

    /// `folder/fieldkit-sync`.
    public var root: String { folder + "/" + Mailbox.rootName }
    /// Where `device`'s change archives wait for headquarters.
    public func outbound(_ device: String) -> String { root + "/outbound/" + device }
    /// Where headquarters' receipts for `device` wait.
    public func inbound(_ device: String) -> String { root + "/inbound/" + device }
    /// Where enrolment requests wait.
    public var enrol: String { root + "/enrol" }
    /// Where the newest bundle headquarters published waits, with its trust statement.
    public var bundles: String { root + "/bundle" }
    /// Headquarters' current trust statement (and root handovers), which names the sealing
    /// key devices seal their archives to; `hub enrol` and `hub import` keep it fresh.
    public var trust: String { root + "/trust" }

    /// Device ids with an outbound folder, sorted.
    public func outboundDevices() -> [String] {
        FileLayer.list(root + "/outbound").filter { Mailbox.isDeviceID($0) && FileLayer.isFolder(outbound($0)) }
    }

    /// Whether `text` is a device id: 16 lower-case hex digits.
    public static func isDeviceID(_ text: String) -> Bool {
        text.utf8.count == 16 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    // MARK: - Names

    /// The ending of a sealed file's name (Sync/SPEC.md §16.1).
    public static let sealedSuffix = ".sealed"
    /// The ending of an unsealed tar + zstd file's name.
    public static let plainSuffix = ".tar.zst"

    /// The name without `.sealed` or `.tar.zst`; nil for any other ending.
    static func stem(_ name: String) -> Substring? {
        for suffix in [sealedSuffix, plainSuffix] where name.hasSuffix(suffix) { return name.dropLast(suffix.count) }
        return nil
    }

    /// `<device>-<first>-<last>.sealed` (or `.tar.zst` unsealed), seqs as 10 digits.
    public static func archiveName(device: String, range: SeqRange, sealed: Bool = true) -> String {
        "\(device)-\(digits(range.first))-\(digits(range.last))" + (sealed ? sealedSuffix : plainSuffix)
    }

    /// The device and range an archive's name gives (not trusted: only the signed statement is).
    public static func parseArchiveName(_ name: String) -> (device: String, range: SeqRange)? {
        guard let stem = stem(name) else { return nil }
        let parts = stem.split(separator: "-").map(String.init)
        guard parts.count == 3, isDeviceID(parts[0]), let first = Int64(parts[1]), let last = Int64(parts[2]),
            first >= 1, last >= first
        else { return nil }
        return (parts[0], SeqRange(first, last))
    }

    /// `receipt-<device>-<version>.sealed` (or `.tar.zst` unsealed), the version as 10 digits.
    public static func receiptName(device: String, version: Int64, sealed: Bool = true) -> String {
        "receipt-\(device)-\(digits(version))" + (sealed ? sealedSuffix : plainSuffix)
    }

    /// The device and version a receipt's name gives.
    public static func parseReceiptName(_ name: String) -> (device: String, version: Int64)? {
        guard name.hasPrefix("receipt-"), let stem = stem(name) else { return nil }
        let parts = stem.dropFirst("receipt-".count).split(separator: "-").map(String.init)
        guard parts.count == 2, isDeviceID(parts[0]), let version = Int64(parts[1]), version >= 1 else { return nil }
        return (parts[0], version)
    }

    /// `<device>.json`, an enrolment request.
    public static func enrolmentName(device: String) -> String { device + ".json" }

    static func digits(_ value: Int64) -> String {
        let text = String(value)
        return text.count >= 10 ? text : String(repeating: "0", count: 10 - text.count) + text
    }

    // MARK: - Listing

    /// The change archives in `device`'s outbound folder, by first seq.
    public func archives(of device: String) -> [(path: String, range: SeqRange)] {
        FileLayer.list(outbound(device)).compactMap { name in
            guard let parsed = Mailbox.parseArchiveName(name), parsed.device == device else { return nil }
            return (outbound(device) + "/" + name, parsed.range)
        }.sorted { $0.range.first < $1.range.first }
    }

    /// The receipts in `device`'s inbound folder, by version.
    public func receipts(for device: String) -> [(path: String, version: Int64)] {
        FileLayer.list(inbound(device)).compactMap { name in
            guard let parsed = Mailbox.parseReceiptName(name), parsed.device == device else { return nil }
            return (inbound(device) + "/" + name, parsed.version)
        }.sorted { $0.version < $1.version }
    }

    /// The mailbox and device of a file that sits in an outbound folder, if it does.
    public static func locate(archive path: String) -> (mailbox: Mailbox, device: String)? {
        let parts = (path as NSString).standardizingPath.split(separator: "/", omittingEmptySubsequences: false)
            .map(String.init)
        guard parts.count >= 5, parts[parts.count - 4] == rootName, parts[parts.count - 3] == "outbound",
            isDeviceID(parts[parts.count - 2])
        else { return nil }
        let folder = parts.dropLast(4).joined(separator: "/")
        return (Mailbox(folder: folder.isEmpty ? "/" : folder), parts[parts.count - 2])
    }

    // MARK: - Writing

    /// Makes `path` (and its parents) and checks it takes a new file.
    public static func prepare(_ path: String) throws(SyncFailure) {
        do {
            try FileLayer.makeFolder(path)
            try FileLayer.probeWritable(path)
        } catch {
            // Said once: the folder's own failure needs only its cause, another folder's its path.
            if case .cannotWrite(let failed, _, let description) = error, failed == path {
                throw .mailboxUnusable(path: path, reason: description)
            }
            throw .mailboxUnusable(path: path, reason: error.message)
        }
    }

    /// Writes `data` at `path` through a temp name. FAT cannot be trusted to rename over an
    /// existing name, so a file already there is left when it holds the same bytes and
    /// removed first otherwise.
    public static func place(_ data: Data, at path: String) throws(CoreFailure) {
        if FileLayer.exists(path) {
            if (try? FileLayer.read(path, limit: data.count)) == data { return }
            guard unlink(path) == 0 else {
                throw .cannotWrite(path: path, code: errno, description: FileLayer.errorText())
            }
        }
        try FileLayer.writeAtomically(data, to: path)
    }

    /// Removes the temp files a write stopped by a power cut or a pulled stick left in
    /// `folder` (`.NAME.tmp-PID-RANDOM`, never taken for a file). Only for a folder no one else
    /// writes to: a device's own outbound folder, under its data folder's lock.
    public static func removeLeftovers(in folder: String) -> [String] {
        let leftovers = FileLayer.list(folder).filter { $0.hasPrefix(".") && $0.contains(".tmp-") }
        for name in leftovers { unlink(folder + "/" + name) }
        return leftovers
    }

    /// Removes a signed file and everything beside it that belongs to it.
    public static func remove(signed path: String) {
        for suffix in [".minisig", ".chunks", ""] {
            if unlink(path + suffix) == 0 { FaultPoint.fileRemoved.reach() }
        }
    }
}
