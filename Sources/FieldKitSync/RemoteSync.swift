import FieldKitCore
import FieldKitStore
import Foundation

/// `fieldkit sync URL` on a device: the hub server seen as a stick. The device keeps a mailbox of
/// its own in `DATA/hub-mailbox/`; the client fills it with what the server hands out (trust
/// files, the newest receipt, the published bundle), `DeviceSync` verifies and applies it and
/// writes archives there exactly as onto a stick, and the client uploads them. A second receipt,
/// fetched after the uploads, lets the device tidy what headquarters acknowledged.
public struct RemoteSync: Sendable {
    /// One archive sent.
    public struct Upload: Codable, Equatable, Sendable {
        public var file: String
        public var outcome: String
        public var accepted: Int
        public var known: Int
    }

    /// What a sync over the network did.
    public struct Report: Codable, Equatable, Sendable {
        public var hub: String
        public var uploads: [Upload]
        /// Archives the hub refused, with its reason (they stay in the device's mailbox and are
        /// listed in its next receipt when headquarters kept them aside).
        public var refused: [HubRelay.Refusal]
        /// The sync before the uploads (applies the receipt the hub held, writes archives) and the
        /// one after them (applies the receipt the uploads earned, removes what it acknowledged).
        public var before: DeviceSync.Report
        public var after: DeviceSync.Report
        /// The newest bundle a receipt offered, as a path in the device's mailbox.
        public var bundle: String? { after.bundle ?? before.bundle }
        public var bundleOffer: Receipt.BundleOffer? { after.bundleOffer ?? before.bundleOffer }
    }

    let client: HubClient
    let store: Store
    let dataFolder: String
    let keys: DeviceKeys
    let wall: String
    let unsealed: Bool

    /// A sync of the device in `dataFolder` with the hub `client` talks to.
    public init(
        client: HubClient, store: Store, dataFolder: String, keys: DeviceKeys, wall: String, unsealed: Bool = false
    ) {
        self.client = client
        self.store = store
        self.dataFolder = dataFolder
        self.keys = keys
        self.wall = wall
        self.unsealed = unsealed
    }

    /// The device's own mailbox for the hub.
    public var mailbox: Mailbox { Mailbox(folder: dataFolder + "/hub-mailbox") }

    /// Runs the exchange.
    public func run() async throws -> Report {
        let device = try store.device().id
        try Mailbox.prepare(mailbox.inbound(device))
        try await fetch(for: device)
        let before = try sync().run(dryRun: false)
        // One refused archive must not keep the others, or the receipt, away.
        let (uploads, refused) = try await HubRelay.send(
            mailbox.outboundDevices().flatMap { mailbox.archives(of: $0).map(\.path) }, with: client)
        try await fetch(for: device)
        let after = try sync().run(dryRun: false)
        return Report(hub: client.base, uploads: uploads, refused: refused, before: before, after: after)
    }

    func sync() -> DeviceSync {
        DeviceSync(store: store, dataFolder: dataFolder, keys: keys, mailbox: mailbox, wall: wall, unsealed: unsealed)
    }

    /// Puts the hub's trust files, the device's newest receipt (unless already applied) and the
    /// published bundle (unless already here) into the mailbox. Nothing is checked here: the
    /// sync that reads them verifies every file against the pinned root.
    func fetch(for device: String) async throws {
        let trust = try await client.trust()
        try HubRelay.place(trust, in: mailbox.trust)
        if let receipt = try await client.receipt(for: device),
            let version = Mailbox.parseReceiptName(receipt.name)?.version, version > (try store.lastReceiptVersion())
        {
            try HubRelay.place(trust, in: mailbox.inbound(device))
            try HubRelay.place(receipt, in: mailbox.inbound(device))
        }
        try await HubRelay.fetchBundle(client, into: mailbox, trust: trust)
    }
}
