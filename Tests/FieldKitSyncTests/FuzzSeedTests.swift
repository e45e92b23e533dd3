import FieldKitArchive
import FieldKitCore
import FieldKitCrypto
import FieldKitSync
import FieldKitTestSupport
import Foundation
import Testing

/// The fuzz targets' seed corpora (`Fuzz/Corpus/TARGET/`) are real files of each kind, and each
/// seed is read whole by what its target calls, so fuzzing starts past the first check.
/// `FIELDKIT_WRITE_FUZZ_SEEDS=1 swift test --filter FuzzSeedTests/seedsReadWhole` writes them again
/// from a fresh world before checking them.
@Suite("fuzzing: every committed seed is a real input that its target reads whole")
struct FuzzSeedTests {
    static let corpus = Repository.path("Fuzz/Corpus")
    static let targets = ["archive", "minisign", "statement", "event", "receipt", "unseal"]

    // The values of Fuzz/Sources/FuzzSupport/Fuzz.swift, which the seeds must match.
    static let limits = ArchiveLimits(maximumEntries: 16, maximumEntrySize: 1 << 20, maximumTotalSize: 4 << 20)
    static let associatedData = Data("fieldkit fuzz".utf8)
    static let receiptDevice = "f00df00df00df00d"

    static func sealingKey() throws -> SealingSecretKey {
        try SealingSecretKey(text: try FileLayer.readText(Repository.path("Fuzz/fuzz-sealing.key")))
    }

    /// Whether `data` gets through what the fuzz target `target` calls, to the end.
    static func readsWhole(_ target: String, _ data: Data) throws -> Bool {
        let text = String(decoding: data, as: UTF8.self)
        switch target {
        case "archive": return (try? ArchiveReader.read(data, limits: limits)) != nil
        case "minisign":
            return (try? MinisignPublicKey(text: text)) != nil || (try? MinisignSignature(text: text)) != nil
                || (try? SealingPublicKey(text: text)) != nil
        case "statement":
            return (try? SignedFile.parseStatement(text)) != nil
                || (try? JSONDecoder().decode(ArchiveManifest.self, from: data)) != nil
                || (try? JSONDecoder().decode(TrustStatement.self, from: data)) != nil
        case "event":
            return (try? StoredEvent(bytes: data)) != nil || (try? ChangeArchive.parseEvents(data, path: "seed")) != nil
        case "receipt":
            return
                (try? Receipt.Content(reading: data, path: "seed", device: receiptDevice, version: 1, format: 2)) != nil
        case "unseal": return (try? Sealing.open(data, with: try sealingKey(), associatedData: associatedData)) != nil
        default: return false
        }
    }

    /// Seeds for every target, from a laptop's archive and headquarters' receipt in a fresh world.
    static func makeSeeds() throws -> [String: [Data]] {
        let world = try SyncWorld("fuzz-seeds")
        let stick = try world.stick()
        let device = try world.device("laptop-a", site: "AMS-01")
        for tag in ["LO-VN-000001", "LO-VN-000002"] { try device.repair(tag) }
        try device.move("LO-VN-000003", to: "CUR-01")
        try device.sync(stick)
        let archive = try #require(stick.archives(of: device.id).first?.path)
        try world.importAt([stick.folder])
        let receipt = try #require(stick.receipts(for: device.id).first?.path)

        func opened(_ path: String, with key: SealingSecretKey) throws -> (plain: Data, statement: String) {
            let signature = try SignedFile.readSignature(of: path)
            let statement = try SignedFile.parseStatement(signature.trustedComment)
            let plain = try Sealing.open(
                try FileLayer.read(path, limit: 1 << 24), with: key,
                associatedData: try SignedFile.associatedData(statement))
            return (plain, signature.trustedComment)
        }
        let (archivePlain, archiveStatement) = try opened(archive, with: world.hubKeys.sealing)
        let (receiptPlain, _) = try opened(receipt, with: device.keys.sealing)
        let archiveContents = try ArchiveReader.read(archivePlain, limits: limits)
        let lines = try #require(archiveContents.files["events.jsonl"])
        let receiptContents = try ArchiveReader.read(receiptPlain, limits: limits)

        // A receipt for the fuzzing device, carrying the laptop's events.
        var body = try JSONDecoder().decode(
            Receipt.Body.self, from: try #require(receiptContents.files["receipt.json"]))
        body.device = receiptDevice
        body.version = 1
        body.format = 2
        body.events = lines.split(separator: 0x0A).count
        let folder = world.folder.appending("fuzz-receipt")
        try FileLayer.makeFolder(folder)
        try ArchiveWriter.write(
            entries: [
                ArchiveEntry(name: "receipt.json", data: try SignedFile.canonicalJSON(body)),
                ArchiveEntry(name: "events.jsonl", data: lines),
                ArchiveEntry(name: "people.json", data: try #require(receiptContents.files["people.json"])),
            ], kind: Receipt.kind, to: folder + "/receipt.tar.zst")
        let receiptSeed = try FileLayer.read(folder + "/receipt.tar.zst", limit: 1 << 24)

        let manifestEncoder = JSONEncoder()
        manifestEncoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return [
            "archive": [archivePlain, receiptSeed],
            "minisign": [
                try FileLayer.read(archive + ".minisig", limit: 8192),
                try FileLayer.read(receipt + ".minisig", limit: 8192),
                Data(device.keys.signing.publicKey.fileText().utf8), Data(device.keys.sealing.publicKey.fileText.utf8),
            ],
            "statement": [
                Data(archiveStatement.utf8), try manifestEncoder.encode(archiveContents.manifest),
                try FileLayer.read(stick.inbound(device.id) + "/" + TrustStatement.fileName, limit: 1 << 16),
            ],
            "event": [lines, Data(try #require(lines.split(separator: 0x0A).first))],
            "receipt": [receiptSeed],
            "unseal": [
                try Sealing.seal(receiptSeed, to: try sealingKey().publicKey, associatedData: associatedData),
                try Sealing.seal(Data(), to: try sealingKey().publicKey, associatedData: associatedData),
            ],
        ]
    }

    @Test("each target has seeds, and its target reads each one whole")
    func seedsReadWhole() throws {
        if ProcessInfo.processInfo.environment["FIELDKIT_WRITE_FUZZ_SEEDS"] == "1" {
            for (target, seeds) in try Self.makeSeeds() {
                let folder = Self.corpus + "/" + target
                try? FileManager.default.removeItem(atPath: folder)
                try FileLayer.makeFolder(folder, mode: 0o755)
                for (index, seed) in seeds.enumerated() {
                    try FileLayer.writeAtomically(seed, to: folder + "/seed-\(index + 1)")
                }
            }
        }
        for target in Self.targets {
            let names = FileLayer.list(Self.corpus + "/" + target)
            #expect(!names.isEmpty, "no seeds for \(target)")
            for name in names {
                let data = try FileLayer.read(Self.corpus + "/" + target + "/" + name, limit: 1 << 24)
                #expect(try Self.readsWhole(target, data), "\(target)/\(name) is not read whole")
            }
        }
    }

    @Test("a seed changed in its middle byte is no longer read whole by the archive, receipt and unseal targets")
    func changedSeedRefused() throws {
        for target in ["archive", "receipt", "unseal"] {
            let folder = Self.corpus + "/" + target
            let name = try #require(FileLayer.list(folder).first)
            var data = try FileLayer.read(folder + "/" + name, limit: 1 << 24)
            data[data.startIndex + data.count / 2] ^= 0x01
            #expect(try !Self.readsWhole(target, data), "\(target)/\(name) changed is still read")
        }
    }
}
