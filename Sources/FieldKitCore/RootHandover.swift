import FieldKitCrypto
import Foundation

/// A root key vouching for its successor (Sync/SPEC.md §14.3): `trust-handover-<FROM>.json`,
/// signed by the old root, naming the new root's public key.
///
/// A device pinned to the old root accepts a trust statement signed by the new root only
/// through an unbroken chain of handovers from the root it pinned; it then pins the new root.
public struct RootHandover: Codable, Equatable, Sendable {
    public var format: Int
    /// Always `root-handover`.
    public var kind: String
    /// The old root's key id (minisign hex).
    public var from: String
    /// The new root's public key, as the base64 line of a minisign `.pub` file.
    public var to: String
    /// The day it was issued, `YYYY-MM-DD`.
    public var issued: String

    /// The largest handover read.
    public static let sizeLimit = 8 << 10
    /// The most handovers followed from one pinned root.
    public static let maximumChain = 16

    /// The file name of the handover from `root`.
    public static func fileName(from root: KeyID) -> String { "trust-handover-\(root.minisignHex).json" }

    /// Whether `name` is a handover file's name.
    public static func isFileName(_ name: String) -> Bool {
        name.hasPrefix("trust-handover-") && name.hasSuffix(".json")
    }

    /// Makes a handover from `from` to `to`.
    public init(from: KeyID, to: MinisignPublicKey, issued: String) {
        self.format = 1
        self.kind = "root-handover"
        self.from = from.minisignHex
        self.to = to.fileText().split(separator: "\n").last.map(String.init) ?? ""
        self.issued = issued
    }

    /// The new root it names.
    public func successor() throws(TrustFailure) -> MinisignPublicKey {
        do { return try MinisignPublicKey(text: to) } catch { throw .malformed("a root handover names no valid key") }
    }

    /// Signs `self` with the old root, returning the two files' bytes.
    public func signed(by root: SigningSecretKey) throws(TrustFailure) -> (json: Data, signature: Data) {
        let json: Data
        do { json = try SignedFile.canonicalJSON(self) } catch { throw .malformed("it could not be encoded") }
        return try TrustStatement.sign(
            json, by: root, statement: ["kind": .string(kind), "format": .int(Int64(format))],
            untrustedComment: "fieldkit root handover")
    }

    /// Checks a handover against `root` (the key it must come from) and returns it.
    public static func verify(json: Data, signature: Data, root: MinisignPublicKey) throws(TrustFailure)
        -> RootHandover
    {
        guard json.count <= sizeLimit, signature.count <= 8192 else { throw .malformed("a handover is too large") }
        let parsed: MinisignSignature
        do { parsed = try MinisignSignature(text: String(decoding: signature, as: UTF8.self)) } catch {
            throw .signature(error)
        }
        do { try root.verify(parsed, of: json) } catch { throw .signature(error) }
        guard let comment = try? SignedFile.parseStatement(parsed.trustedComment),
            comment["kind"] == .string("root-handover"), comment["sha256"] == .string(Hashing.sha256Hex(json)),
            let handover = try? JSONDecoder().decode(RootHandover.self, from: json), handover.format == 1,
            handover.kind == "root-handover", handover.from == root.keyID.minisignHex
        else { throw .malformed("a root handover is not in its form") }
        return handover
    }
}

/// A trust statement with whatever travels beside it: its signature and the root handovers.
public struct TrustFiles: Sendable, Equatable {
    public var json: Data
    public var signature: Data
    /// Handover files (JSON and signature), in any order.
    public var handovers: [Handover]

    /// One handover's two files.
    public struct Handover: Sendable, Equatable {
        public var json: Data
        public var signature: Data

        /// Pairs them.
        public init(json: Data, signature: Data) {
            self.json = json
            self.signature = signature
        }
    }

    /// Pairs the files.
    public init(json: Data, signature: Data, handovers: [Handover] = []) {
        self.json = json
        self.signature = signature
        self.handovers = handovers
    }

    /// Reads `trust.json`, its signature and every handover in `folder`, sizes capped first.
    public static func read(in folder: String) throws -> TrustFiles {
        let path = folder + "/" + TrustStatement.fileName
        guard FileLayer.exists(path), FileLayer.exists(path + ".minisig") else { throw TrustFailure.missing(path) }
        var handovers: [Handover] = []
        for name in FileLayer.list(folder) where RootHandover.isFileName(name) {
            guard handovers.count < RootHandover.maximumChain else { break }
            let handover = folder + "/" + name
            guard let signature = try? FileLayer.read(handover + ".minisig", limit: 8192) else { continue }
            handovers.append(
                Handover(json: try FileLayer.read(handover, limit: RootHandover.sizeLimit), signature: signature))
        }
        return TrustFiles(
            json: try FileLayer.read(path, limit: TrustStatement.sizeLimit),
            signature: try FileLayer.read(path + ".minisig", limit: 8192), handovers: handovers)
    }

    /// Writes every file into `folder` through `place` (which must not rename over a name on FAT).
    public func write(into folder: String, place: (Data, String) throws -> Void) throws {
        try place(json, folder + "/" + TrustStatement.fileName)
        try place(signature, folder + "/" + TrustStatement.fileName + ".minisig")
        for handover in handovers {
            guard let parsed = try? JSONDecoder().decode(RootHandover.self, from: handover.json),
                parsed.from.count == 16, parsed.from.allSatisfy(\.isHexDigit)
            else { continue }
            let name = folder + "/trust-handover-\(parsed.from).json"
            try place(handover.json, name)
            try place(handover.signature, name + ".minisig")
        }
    }

    /// A statement checked against the pinned root, and the root that signed it.
    public struct Checked: Sendable {
        public var statement: TrustStatement
        /// The root that signed the statement: the pinned one, or its successor through handovers.
        public var root: MinisignPublicKey
        /// Whether `root` differs from the pinned root (the device must pin it).
        public var rootChanged: Bool
    }

    /// Verifies the statement against `pinned`, following handovers when it is signed by another
    /// root. A statement under a root the pinned one never handed over to is refused.
    public func verify(pinned: MinisignPublicKey) throws(TrustFailure) -> Checked {
        let signer: MinisignSignature
        do { signer = try MinisignSignature(text: String(decoding: signature, as: UTF8.self)) } catch {
            throw .signature(error)
        }
        var root = pinned
        var steps = 0
        while signer.keyID != root.keyID {
            guard steps < RootHandover.maximumChain else { throw .tooManyHandovers(RootHandover.maximumChain) }
            var next: RootHandover?
            for handover in handovers where next == nil {
                next = try? RootHandover.verify(json: handover.json, signature: handover.signature, root: root)
            }
            guard let next else {
                throw .otherRoot(found: signer.keyID.minisignHex, pinned: pinned.keyID.minisignHex)
            }
            root = try next.successor()
            steps += 1
        }
        let statement = try TrustStatement.verify(json: json, signature: signature, root: root)
        return Checked(statement: statement, root: root, rootChanged: root.keyID != pinned.keyID)
    }
}
