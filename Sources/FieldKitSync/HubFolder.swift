import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import Foundation

/// Headquarters' data folder: a store like a device's (marked as the hub's), the hub's
/// signing and sealing keys in `keys/`, its current trust statement in `trust/`, refused
/// files in `quarantine/`, photos in `blobs/`, and its own mailbox for files that did not
/// come from one.
public struct HubFolder: Sendable {
    /// The data folder.
    public let folder: String

    /// The hub in `folder`.
    public init(folder: String) { self.folder = folder }

    public var trust: String { folder + "/trust" }
    public var quarantine: String { folder + "/quarantine" }
    public var blobs: String { folder + "/blobs" }
    /// Where receipts go for archives that were not found in a mailbox.
    public var mailbox: Mailbox { Mailbox(folder: folder + "/mailbox") }

    /// The root key file names written into `--root-out`.
    public static let rootKeyName = "root.key"
    public static let rootPublicName = "root.pub"

    /// The current trust statement with its signature and every root handover made so far.
    public func trustFiles() throws -> TrustFiles { try TrustFiles.read(in: trust) }

    /// Headquarters' current root: the one `hub init` (or the last root rotation) pinned.
    public static func root(of store: Store) throws -> MinisignPublicKey {
        guard let text = try store.device().hqRoot else { throw StoreFailure.missingDevice }
        return try MinisignPublicKey(text: text)
    }

    /// The current trust statement, checked against the store's root, and refused unless it names
    /// the signing key in `keys/` (an interrupted `hub rotate` leaves them apart).
    public func currentTrust(store: Store, keys: DeviceKeys) throws -> TrustStatement {
        let statement = try trustFiles().verify(pinned: try HubFolder.root(of: store)).statement
        guard try statement.signingKeys().contains(keys.signing.publicKey) else {
            throw SyncFailure.hubInconsistent(
                "the trust statement in \(trust) does not name the signing key in \(folder)/keys")
        }
        return statement
    }

    /// What `hub init` made.
    public struct Initialised: Sendable {
        public var root: MinisignPublicKey
        public var rootKeyPath: String
        public var keys: DeviceKeys
        public var trust: TrustStatement
    }

    /// Makes headquarters in `folder` (which must hold no store) and its root key in `rootOut`,
    /// which must be outside it. Key files are never overwritten.
    public static func initialise(
        folder: String, rootOut: String, issued: String, expires: String, wall: String
    ) throws -> (hub: HubFolder, store: Store, made: Initialised) {
        let absoluteFolder = URL(fileURLWithPath: folder).standardizedFileURL.path
        let absoluteRoot = URL(fileURLWithPath: rootOut).standardizedFileURL.path
        guard absoluteRoot != absoluteFolder, !absoluteRoot.hasPrefix(absoluteFolder + "/") else {
            throw CoreFailure.invalidValue(
                what: "--root-out \(rootOut)", reason: "the root key must be kept outside headquarters' data folder")
        }
        let rootKeyPath = rootOut + "/" + rootKeyName
        guard !FileLayer.exists(rootKeyPath), !FileLayer.exists(rootOut + "/" + rootPublicName) else {
            throw CoreFailure.cannotWrite(path: rootKeyPath, code: EEXIST, description: "a root key is already there")
        }
        guard !FileLayer.exists(folder + "/" + DataFolder.storeName) else {
            throw StoreFailure.alreadyExists(path: folder + "/" + DataFolder.storeName)
        }
        try FileLayer.makeFolder(rootOut)
        try FileLayer.makeFolder(folder)
        let root = SigningSecretKey.generate()
        try FileLayer.writeAtomically(Data(root.fileText.utf8), to: rootKeyPath, mode: 0o600)
        try FileLayer.writeAtomically(Data(root.publicKey.fileText().utf8), to: rootOut + "/" + rootPublicName)
        let keys = DeviceKeys.generate()
        try keys.write(to: folder)
        let statement = TrustStatement(
            version: 1, issued: issued, expires: expires, root: root.keyID, signing: [keys.signing.publicKey],
            sealing: keys.sealing.publicKey, development: false)
        let (json, signature) = try statement.signed(by: root)
        let hub = HubFolder(folder: folder)
        try FileLayer.makeFolder(hub.trust)
        try FileLayer.writeAtomically(json, to: hub.trust + "/" + TrustStatement.fileName)
        try FileLayer.writeAtomically(signature, to: hub.trust + "/" + TrustStatement.fileName + ".minisig")
        let store = try Store.create(
            folder: folder,
            device: DeviceRecord(
                id: keys.deviceID, name: "headquarters", currentSite: nil, technician: nil, predecessor: nil,
                createdWall: wall, hqRoot: root.publicKey.fileText()),
            technician: nil)
        try store.markHub(wall: wall)
        return (hub, store, Initialised(root: root.publicKey, rootKeyPath: rootKeyPath, keys: keys, trust: statement))
    }
}
