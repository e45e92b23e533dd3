import FieldKitBundles
import FieldKitCore
import FieldKitCrypto
import Foundation

/// A test headquarters: a root, a signing key and a trust statement naming it, written into a
/// folder as the CLI expects them (`root.key`, `root.pub`, `signing.key`, `signing.pub`, `trust/`).
public struct TestTrust: Sendable {
    public let folder: String
    public let root: SigningSecretKey
    public let signing: SigningSecretKey

    /// Makes keys and a trust statement (version `version`) in `folder`.
    public init(
        folder: String, version: Int64 = 1, root: SigningSecretKey = .generate(),
        signing: SigningSecretKey = .generate()
    ) throws {
        self.folder = folder
        self.root = root
        self.signing = signing
        try FileLayer.makeFolder(folder + "/trust")
        try FileLayer.writeAtomically(Data(root.fileText.utf8), to: folder + "/root.key", mode: 0o600)
        try FileLayer.writeAtomically(Data(root.publicKey.fileText().utf8), to: folder + "/root.pub")
        try FileLayer.writeAtomically(Data(signing.fileText.utf8), to: folder + "/signing.key", mode: 0o600)
        try FileLayer.writeAtomically(Data(signing.publicKey.fileText().utf8), to: folder + "/signing.pub")
        let statement = TrustStatement(
            version: version, issued: "2026-11-20", expires: "2030-01-01", root: root.keyID,
            signing: [signing.publicKey],
            sealing: nil, development: false)
        let (json, signature) = try statement.signed(by: root)
        try FileLayer.writeAtomically(json, to: folder + "/trust/trust.json")
        try FileLayer.writeAtomically(signature, to: folder + "/trust/trust.json.minisig")
    }

    /// The trust files' bytes.
    public func trustFiles() throws -> (json: Data, signature: Data) {
        (
            try FileLayer.read(folder + "/trust/trust.json", limit: 1 << 16),
            try FileLayer.read(folder + "/trust/trust.json.minisig", limit: 8192)
        )
    }

    /// Packs `content` into `path` (with trust beside it).
    @discardableResult
    public func pack(_ content: BundleContent, to path: String) throws -> MinisignSignature {
        let (json, signature) = try trustFiles()
        return try BundleFile.pack(content, to: path, key: signing, trustJSON: json, trustSignature: signature)
    }
}

/// The committed `Bundles/` sources, read and built once per test process.
public enum CommittedContent {
    /// The content built from `Bundles/` (lint, inventory).
    public static let content: Result<BundleContent, any Error> = Result {
        try BundleFile.content(from: try BundleSource.load(Repository.path("Bundles")))
    }

    /// The sources as read.
    public static let sources: Result<BundleSource.Sources, any Error> = Result {
        try BundleSource.load(Repository.path("Bundles"))
    }
}
