import FieldKitCore
import FieldKitCrypto
import Foundation

/// Headquarters' side of sealing (Sync/SPEC.md §16.1): which sealing key opens an archive, and
/// the trust statement placed in every mailbox so devices know whom to seal to.
extension HubFolder {
    /// How long after a rotation a retired sealing key still opens archives sealed to it.
    public static let sealingGraceDays: Int64 = 180

    /// The sealing key with minisign id `keyID`: the current one in `keys`, or a retired one
    /// within `sealingGraceDays` of its retirement (by headquarters' clock `wall`).
    public func sealingKey(_ keyID: String, current keys: DeviceKeys, wall: String, path: String) throws
        -> SealingSecretKey
    {
        if keys.sealing.keyID.minisignHex == keyID { return keys.sealing }
        let prefix = "sealing-\(keyID)-"
        guard let name = FileLayer.list(retired).first(where: { $0.hasPrefix(prefix) && $0.hasSuffix(".key") })
        else { throw SyncFailure.unknownSealingKey(path: path, key: keyID) }
        let retiredOn = String(name.dropFirst(prefix.count).dropLast(".key".count))
        let age = try EventTime.days(of: String(wall.prefix(10))) - EventTime.days(of: retiredOn)
        guard age <= HubFolder.sealingGraceDays else {
            throw SyncFailure.sealingKeyRetired(
                path: path, key: keyID, retired: retiredOn, grace: HubFolder.sealingGraceDays)
        }
        return try SealingSecretKey(text: try DeviceKeys.readSecret(retired + "/" + name))
    }

    /// Puts headquarters' current trust statement (and root handovers) in `mailbox`'s `trust/`.
    public func placeTrust(in mailbox: Mailbox, trust: TrustFiles) throws {
        try Mailbox.prepare(mailbox.trust)
        try trust.write(into: mailbox.trust) { data, path in try Mailbox.place(data, at: path) }
    }
}
