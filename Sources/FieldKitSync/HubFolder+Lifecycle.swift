import FieldKitArchive
import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import Foundation

/// Headquarters over time (Sync/SPEC.md §14): key rotation, published bundles, backup and restore.
extension HubFolder {
    /// Where retired keys are kept: old sealing keys open archives sealed to them during the
    /// grace period; old signing keys are kept for the record.
    public var retired: String { DeviceKeys.folder(in: folder) + "/retired" }
    /// Where the newest published bundle waits for the next receipts.
    public var published: String { folder + "/published" }

    /// What `hub rotate` did.
    public struct Rotation: Sendable, Codable, Equatable {
        public var version: Int64
        public var root: String
        public var rootChanged: Bool
        public var signing: String
        public var sealing: String
        public var expires: String
        /// Files of retired keys.
        public var retiredKeys: [String]
        /// True when this run only completed a rotation an earlier run was interrupted in.
        public var completedInterrupted: Bool
    }

    /// Where a rotation is staged until it is complete.
    var pendingRotation: String { folder + "/rotation-pending" }

    /// Issues a new trust statement, one version up: new signing and/or sealing keys when asked,
    /// and a new root when `newRoot` is given (the old root signs a handover to it). `rootKey`
    /// must be the current root. Old keys are moved to `keys/retired/`, never deleted.
    ///
    /// Everything new is staged in `rotation-pending/` (its statement's signature last), then put
    /// in place; a rotation interrupted after staging is completed by the next `rotate`, which
    /// then returns it with `completedInterrupted` set and makes nothing new.
    public func rotate(
        store: Store, rootKey: SigningSecretKey, newRoot: SigningSecretKey?, signing: Bool, sealing: Bool,
        issued: String, expires: String
    ) throws -> Rotation {
        try store.requireHub()
        let pinned = try HubFolder.root(of: store)
        guard rootKey.keyID == pinned.keyID else {
            throw CoreFailure.invalidValue(
                what: "--root-key",
                reason:
                    "it is key \(rootKey.keyID), not headquarters' current root \(pinned.keyID) (see 'fieldkit hub keys')"
            )
        }
        if var completed = try completePendingRotation(store: store, pinned: pinned, wall: issued) {
            completed.completedInterrupted = true
            return completed
        }
        if let newRoot, newRoot.keyID == pinned.keyID {
            throw CoreFailure.invalidValue(what: "--root", reason: "the new root is the current root")
        }
        let statement = try trustFiles().verify(pinned: pinned).statement
        let old = try DeviceKeys.load(from: folder)
        let keys = DeviceKeys(
            signing: signing ? .generate() : old.signing, sealing: sealing ? .generate() : old.sealing)
        let signer = newRoot ?? rootKey
        let next = TrustStatement(
            version: statement.version + 1, issued: issued, expires: expires, root: signer.keyID,
            signing: [keys.signing.publicKey], sealing: keys.sealing.publicKey, development: false)
        let (json, signature) = try next.signed(by: signer)
        // Old keys are copied aside first, so an interruption never loses one.
        var retiredKeys: [String] = []
        try FileLayer.makeFolder(retired)
        if signing {
            let name = retired + "/signing-\(old.signing.keyID.minisignHex)-\(issued).key"
            try FileLayer.writeAtomically(Data(old.signing.fileText.utf8), to: name, mode: 0o600)
            retiredKeys.append(name)
        }
        if sealing {
            let name = retired + "/sealing-\(old.sealing.keyID.minisignHex)-\(issued).key"
            try FileLayer.writeAtomically(Data(old.sealing.fileText.utf8), to: name, mode: 0o600)
            retiredKeys.append(name)
        }
        if let newRoot {
            // A handover alone changes nothing: devices follow it only to a statement it leads to.
            let handover = RootHandover(from: rootKey.keyID, to: newRoot.publicKey, issued: issued)
            let (handoverJSON, handoverSignature) = try handover.signed(by: rootKey)
            let path = trust + "/" + RootHandover.fileName(from: rootKey.keyID)
            try FileLayer.writeAtomically(handoverJSON, to: path)
            try FileLayer.writeAtomically(handoverSignature, to: path + ".minisig")
        }
        try? FileManager.default.removeItem(atPath: pendingRotation)
        try FileLayer.makeFolder(pendingRotation)
        try FileLayer.writeAtomically(
            Data(keys.signing.fileText.utf8), to: pendingRotation + "/device.key", mode: 0o600)
        try FileLayer.writeAtomically(
            Data(keys.sealing.fileText.utf8), to: pendingRotation + "/sealing.key", mode: 0o600)
        try FileLayer.writeAtomically(json, to: pendingRotation + "/" + TrustStatement.fileName)
        try FileLayer.writeAtomically(signature, to: pendingRotation + "/" + TrustStatement.fileName + ".minisig")
        guard var rotation = try completePendingRotation(store: store, pinned: pinned, wall: issued) else {
            throw SyncFailure.hubInconsistent("the staged rotation in \(pendingRotation) could not be read back")
        }
        rotation.retiredKeys = retiredKeys
        return rotation
    }

    /// Puts a staged rotation in place (keys, then the statement, its signature last, then the
    /// new root pinned) and removes the staging folder. Nil when nothing complete is staged; an
    /// incomplete staging (no statement signature yet) is discarded.
    func completePendingRotation(store: Store, pinned: MinisignPublicKey, wall: String) throws -> Rotation? {
        let staged = pendingRotation + "/" + TrustStatement.fileName
        guard FileLayer.exists(staged + ".minisig") else {
            try? FileManager.default.removeItem(atPath: pendingRotation)
            return nil
        }
        let files = TrustFiles(
            json: try FileLayer.read(staged, limit: TrustStatement.sizeLimit),
            signature: try FileLayer.read(staged + ".minisig", limit: 8 << 10), handovers: try trustFiles().handovers)
        let checked = try files.verify(pinned: pinned)
        let keys = DeviceKeys(
            signing: try DeviceKeys.loadSigningKey(pendingRotation + "/device.key"),
            sealing: try SealingSecretKey(text: try DeviceKeys.readSecret(pendingRotation + "/sealing.key")))
        guard try checked.statement.signingKeys().contains(keys.signing.publicKey) else {
            throw SyncFailure.hubInconsistent("the staged rotation's statement does not name its signing key")
        }
        let keyFolder = DeviceKeys.folder(in: folder)
        try FileLayer.writeAtomically(Data(keys.signing.fileText.utf8), to: keyFolder + "/device.key", mode: 0o600)
        try FileLayer.writeAtomically(Data(keys.sealing.fileText.utf8), to: keyFolder + "/sealing.key", mode: 0o600)
        try FileLayer.writeAtomically(Data(keys.signing.publicKey.fileText().utf8), to: keyFolder + "/device.pub")
        try FileLayer.writeAtomically(Data(keys.sealing.publicKey.fileText.utf8), to: keyFolder + "/sealing.pub")
        try FileLayer.writeAtomically(files.json, to: trust + "/" + TrustStatement.fileName)
        try FileLayer.writeAtomically(files.signature, to: trust + "/" + TrustStatement.fileName + ".minisig")
        if checked.rootChanged {
            try store.pinRoot(
                checked.root.fileText(), root: checked.root.keyID.minisignHex, previous: pinned.keyID.minisignHex,
                wall: wall)
        }
        try FileManager.default.removeItem(atPath: pendingRotation)
        return Rotation(
            version: checked.statement.version, root: checked.root.keyID.minisignHex,
            rootChanged: checked.rootChanged, signing: keys.signing.keyID.minisignHex,
            sealing: keys.sealing.keyID.minisignHex, expires: checked.statement.expires, retiredKeys: [],
            completedInterrupted: false)
    }

    // MARK: - Published bundles

    /// The published bundle's file name for `version`.
    public static func bundleName(version: Int64) -> String {
        "bundle-\(String(format: "%010lld", version)).tar.zst"
    }

    /// The newest published bundle: its path and what a receipt says about it.
    public func publishedBundle() -> (path: String, offer: Receipt.BundleOffer)? {
        let names = FileLayer.list(published).filter { $0.hasPrefix("bundle-") && $0.hasSuffix(".tar.zst") }
        guard let name = names.sorted().last,
            let version = Int64(name.dropFirst("bundle-".count).dropLast(".tar.zst".count)),
            let signature = try? SignedFile.readSignature(of: published + "/" + name),
            let statement = try? SignedFile.parseStatement(signature.trustedComment),
            let sha256 = statement["sha256"]?.stringValue
        else { return nil }
        return (published + "/" + name, Receipt.BundleOffer(file: name, version: version, sha256: sha256))
    }

    /// Keeps a verified bundle's bytes and signature (checked by the caller against the current
    /// trust statement) as the one every later receipt offers; versions only go up.
    @discardableResult
    public func publish(bundle: Data, signature: Data, version: Int64) throws -> String {
        if let current = publishedBundle()?.offer.version, current >= version {
            throw SyncFailure.notNewer(what: "bundle", offered: String(version), current: String(current))
        }
        try FileLayer.makeFolder(published)
        let target = published + "/" + HubFolder.bundleName(version: version)
        // The signature goes after the file, so a half-written pair reads as incomplete.
        try FileLayer.writeAtomically(bundle, to: target)
        try FileLayer.writeAtomically(signature, to: target + ".minisig")
        let name = (target as NSString).lastPathComponent
        for other in FileLayer.list(published)
        where other.hasPrefix("bundle-") && other.hasSuffix(".tar.zst") && other != name {
            Mailbox.remove(signed: published + "/" + other)
        }
        return target
    }

    /// Copies the published bundle (with the current trust files) into `mailbox`'s bundle folder
    /// once, removing older ones there; returns the offer receipts make.
    func placePublishedBundle(in mailbox: Mailbox, trust: TrustFiles) throws -> Receipt.BundleOffer? {
        guard let (path, offer) = publishedBundle() else { return nil }
        let folder = mailbox.bundles
        try Mailbox.prepare(folder)
        try trust.write(into: folder) { data, target in try Mailbox.place(data, at: target) }
        let target = folder + "/" + offer.file
        try Mailbox.place(try FileLayer.read(path, limit: 64 << 20), at: target)
        try Mailbox.place(try FileLayer.read(path + ".minisig", limit: 8 << 10), at: target + ".minisig")
        for name in FileLayer.list(folder)
        where name.hasPrefix("bundle-") && name.hasSuffix(".tar.zst") && name != offer.file {
            Mailbox.remove(signed: folder + "/" + name)
        }
        return offer
    }
}
