import FieldKitArchive
import FieldKitCore
import FieldKitCrypto
import Foundation

/// The packed, signed bundle file: tar + zstd with `manifest.json` first, a detached
/// `.minisig` whose trusted comment is the bundle's statement, and `trust.json` beside it.
public enum BundleFile {
    /// The statement kind in the trusted comment.
    public static let kind = "bundle"
    /// The bundle format this build writes and reads.
    public static let format: Int64 = 1
    /// The largest bundle file read (checked before a byte is read).
    public static let sizeLimit = 48 << 20
    /// What the reader accepts inside.
    public static let limits = ArchiveLimits(maximumEntries: 16, maximumEntrySize: 40 << 20, maximumTotalSize: 96 << 20)

    static let entryNames = [
        "bundle.json", "guides.json", "checklists.json", "parts.json", "sites.json", "instruments.json",
        "glossary.json", "inventory.jsonl",
    ]

    /// Builds the content from sources: lint first, then the generated inventory.
    public static func content(from sources: BundleSource.Sources) throws(BundleFailure) -> BundleContent {
        let findings = BundleLint.findings(sources)
        guard findings.isEmpty else { throw .lint(findings) }
        let inventory = try InventoryGenerator.generate(
            settings: sources.inventory, types: sources.instrumentTypes, sites: sources.sites, created: sources.created)
        let info = BundleInfo(
            format: Int(format), version: sources.version, created: sources.created, expires: sources.expires,
            guides: sources.guides.count, checklists: sources.checklists.count, instruments: inventory.count,
            watermarks: [:])
        return BundleContent(
            info: info, guides: sources.guides.sorted { $0.id < $1.id },
            checklists: sources.checklists.sorted { $0.id < $1.id }, parts: sources.parts, sites: sources.sites,
            instrumentTypes: sources.instrumentTypes, glossary: sources.glossary, inventory: inventory)
    }

    /// Writes `content` to `path`, signs it with `key`, and writes `trust.json` (+ signature)
    /// beside it. Checking that the statement names `key` is the caller's job (`bundle pack` does).
    public static func pack(
        _ content: BundleContent, to path: String, key: SigningSecretKey, trustJSON: Data, trustSignature: Data
    ) throws -> MinisignSignature {
        let entries = try encode(content)
        let modified = (try? EventTime.days(of: content.info.created)).map { $0 * 86_400 } ?? 0
        try ArchiveWriter.write(entries: entries, kind: kind, to: path, modified: modified, level: 19)
        let size = try FileLayer.read(path, limit: sizeLimit + 1).count
        guard size <= sizeLimit else {
            try? FileManager.default.removeItem(atPath: path)
            throw BundleFailure.content("the packed bundle is over the \(sizeLimit)-byte cap")
        }
        let signature = try SignedFile.sign(
            path, key: key,
            statement: [
                "kind": .string(kind), "format": .int(format), "version": .int(content.info.version),
                "created": .string(content.info.created), "expires": .string(content.info.expires),
            ])
        let folder = (path as NSString).deletingLastPathComponent
        let base = (folder.isEmpty ? "." : folder) + "/" + TrustStatement.fileName
        try FileLayer.writeAtomically(trustJSON, to: base)
        try FileLayer.writeAtomically(trustSignature, to: base + ".minisig")
        return signature
    }

    static func encode(_ content: BundleContent) throws -> [ArchiveEntry] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let lines = try content.inventory.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        return [
            ArchiveEntry(name: "bundle.json", data: try encoder.encode(content.info)),
            ArchiveEntry(name: "guides.json", data: try encoder.encode(content.guides)),
            ArchiveEntry(name: "checklists.json", data: try encoder.encode(content.checklists)),
            ArchiveEntry(name: "parts.json", data: try encoder.encode(content.parts)),
            ArchiveEntry(name: "sites.json", data: try encoder.encode(content.sites)),
            ArchiveEntry(name: "instruments.json", data: try encoder.encode(content.instrumentTypes)),
            ArchiveEntry(name: "glossary.json", data: try encoder.encode(content.glossary)),
            ArchiveEntry(name: "inventory.jsonl", data: Data((lines.joined(separator: "\n") + "\n").utf8)),
        ]
    }
}

/// A bundle whose trust, signature, statement and every entry have been checked.
public struct VerifiedBundle: Sendable {
    /// The trust statement it was checked under.
    public var trust: TrustStatement
    /// The root that signed that statement: the pinned one, or its successor through root handovers.
    public var root: MinisignPublicKey
    /// Its signed statement.
    public var statement: [String: JSONValue]
    /// SHA-256 of the bundle file: what records pin.
    public var sha256: String
    /// The content.
    public var content: BundleContent
    /// The bundle file's bytes.
    public var bytes: Data
}

/// The bytes of a bundle and what travels beside it.
public struct BundleParts: Sendable, Equatable {
    public var bundle: Data
    public var signature: Data
    public var trustJSON: Data
    public var trustSignature: Data
    /// Root handovers found beside the trust statement.
    public var handovers: [TrustFiles.Handover]

    /// Makes the parts.
    public init(
        bundle: Data, signature: Data, trustJSON: Data, trustSignature: Data, handovers: [TrustFiles.Handover] = []
    ) {
        self.bundle = bundle
        self.signature = signature
        self.trustJSON = trustJSON
        self.trustSignature = trustSignature
        self.handovers = handovers
    }

    /// Reads FILE, FILE.minisig and `trust.json` (+ signature) from FILE's folder; sizes capped first.
    public static func read(_ path: String) throws -> BundleParts {
        let folder = (path as NSString).deletingLastPathComponent
        let trustPath = (folder.isEmpty ? "." : folder) + "/" + TrustStatement.fileName
        guard FileLayer.exists(trustPath), FileLayer.exists(trustPath + ".minisig") else {
            if !FileLayer.exists(path) { throw CoreFailure.missingFile(path: path) }
            throw TrustFailure.missing(trustPath)
        }
        let signature = try SignedFile.readSignature(of: path)
        let trust = try TrustFiles.read(in: folder.isEmpty ? "." : folder)
        return BundleParts(
            bundle: try FileLayer.read(path, limit: BundleFile.sizeLimit),
            signature: Data(signature.fileText.utf8), trustJSON: trust.json, trustSignature: trust.signature,
            handovers: trust.handovers)
    }

    /// Verifies in the fixed order: trust against `root` (through root handovers), signature
    /// against a key the trust names, the statement against the bytes, then (only then) the
    /// archive and its JSON.
    public func verify(root: MinisignPublicKey) throws -> VerifiedBundle {
        let checked = try TrustFiles(json: trustJSON, signature: trustSignature, handovers: handovers).verify(
            pinned: root)
        let trust = checked.statement
        guard bundle.count <= BundleFile.sizeLimit else {
            throw BundleFailure.statement("the bundle is larger than \(BundleFile.sizeLimit) bytes")
        }
        let parsed: MinisignSignature
        do { parsed = try MinisignSignature(text: String(decoding: signature, as: UTF8.self)) } catch {
            throw SignedFileFailure.crypto(error)
        }
        let statement = try trust.verifySigned(bundle, signature: parsed)
        let sha256 = Hashing.sha256Hex(bundle)
        guard statement["kind"] == .string(BundleFile.kind) else {
            throw BundleFailure.statement(
                "the signature is for a \(statement["kind"]?.stringValue ?? "unknown") file, not a bundle")
        }
        guard statement["format"] == .int(BundleFile.format) else {
            throw BundleFailure.statement(
                "bundle format \(statement["format"]?.intValue ?? 0) is not one this build reads")
        }
        guard statement["sha256"] == .string(sha256), statement["size"] == .int(Int64(bundle.count)) else {
            throw BundleFailure.statement("the size or SHA-256 in the statement does not match the file")
        }
        let contents = try ArchiveReader.read(bundle, limits: BundleFile.limits)
        guard contents.manifest.kind == BundleFile.kind else {
            throw BundleFailure.statement("the archive is a \(contents.manifest.kind), not a bundle")
        }
        let content = try BundleParts.decode(contents.files)
        guard statement["version"] == .int(content.info.version) else {
            throw BundleFailure.statement("the signed version does not match bundle.json")
        }
        return VerifiedBundle(
            trust: trust, root: checked.root, statement: statement, sha256: sha256, content: content, bytes: bundle)
    }

    static func decode(_ files: [String: Data]) throws(BundleFailure) -> BundleContent {
        if let stranger = files.keys.sorted().first(where: { !BundleFile.entryNames.contains($0) }) {
            throw .content("it holds \(stranger), which is not part of a bundle")
        }
        func file<T: Decodable>(_ name: String, as type: T.Type) throws(BundleFailure) -> T {
            guard let data = files[name] else { throw .content("\(name) is missing") }
            do { return try JSONDecoder().decode(T.self, from: data) } catch {
                throw .content("\(name) does not decode")
            }
        }
        var inventory: [InventoryItem] = []
        guard let lines = files["inventory.jsonl"] else { throw .content("inventory.jsonl is missing") }
        let decoder = JSONDecoder()
        for line in lines.split(separator: UInt8(ascii: "\n")) {
            do { inventory.append(try decoder.decode(InventoryItem.self, from: Data(line))) } catch {
                throw .content("inventory.jsonl has a line that does not decode")
            }
        }
        return BundleContent(
            info: try file("bundle.json", as: BundleInfo.self), guides: try file("guides.json", as: [Guide].self),
            checklists: try file("checklists.json", as: [Checklist].self),
            parts: try file("parts.json", as: [Part].self),
            sites: try file("sites.json", as: [Site].self),
            instrumentTypes: try file("instruments.json", as: [InstrumentType].self),
            glossary: try file("glossary.json", as: [GlossaryConcept].self), inventory: inventory)
    }
}
