import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import FieldKitSync
import FieldKitTestSupport
import Foundation
import Testing

@Suite("sync: a change in any signed region of a signed file is refused and changes nothing")
struct TamperRegionTests {
    /// A part of a signed file or of its `.minisig` that a bad copy or an attacker can change.
    enum Region: String, CaseIterable, Sendable {
        case firstByte, middleByte, lastByte, cutShort
        case algorithm, keyID, signature, trustedComment, globalSignature, untrustedComment

        /// Whether the change is in the data file rather than in its `.minisig`.
        var inDataFile: Bool { [.firstByte, .middleByte, .lastByte, .cutShort].contains(self) }
    }

    /// The smallest change to one region of a signed file and its `.minisig` text, on bytes only.
    ///
    /// Signature lines are decoded, changed and encoded again as canonical padded base64, and the
    /// trusted comment stays valid JSON, so a refusal comes from the signature check itself and
    /// never from a parser that stops earlier.
    enum Tamper {
        /// The `.minisig` text is not four lines of minisign, or the data file is empty.
        struct Unusable: Error, CustomStringConvertible {
            let description: String
        }

        static let trustedPrefix = "trusted comment: "

        /// Returns `file` and `signature` with `region` changed: a bit flipped in one byte, the
        /// file cut short by 100 bytes (half, if smaller), a digit of the trusted comment moved
        /// on by one, or text added to the untrusted comment.
        static func apply(_ region: Region, file: Data, signature: String) throws -> (file: Data, signature: String) {
            var file = file
            var lines = signature.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard lines.count >= 4, !file.isEmpty else {
                throw Unusable(description: "not a data file and a four-line .minisig")
            }
            switch region {
            case .firstByte: file[file.startIndex] ^= 0x01
            case .middleByte: file[file.startIndex + file.count / 2] ^= 0x01
            case .lastByte: file[file.endIndex - 1] ^= 0x01
            case .cutShort: file = Data(file.dropLast(min(100, file.count / 2)))
            // "Ed" becomes "ED": minisign's prehashed algorithm, which fieldkit does not read.
            case .algorithm: lines[1] = try flip(lines[1], byte: 1, mask: 0x20)
            case .keyID: lines[1] = try flip(lines[1], byte: 2, mask: 0x01)
            case .signature: lines[1] = try flip(lines[1], byte: 42, mask: 0x01)
            case .trustedComment: lines[2] = try changeLastDigit(lines[2])
            case .globalSignature: lines[3] = try flip(lines[3], byte: 32, mask: 0x01)
            case .untrustedComment: lines[0] += " (copied by hand)"
            }
            return (file, lines.joined(separator: "\n"))
        }

        /// Flips `mask` in decoded byte `byte` of a base64 line.
        static func flip(_ line: String, byte: Int, mask: UInt8) throws -> String {
            guard var bytes = Base64Strict.decode(line), byte < bytes.count else {
                throw Unusable(description: "the line is not strict base64 of more than \(byte) bytes")
            }
            bytes[bytes.startIndex + byte] ^= mask
            return bytes.base64EncodedString()
        }

        /// Moves the last digit of a trusted comment on by one (9 becomes 0): a number stays a
        /// number, a hex string stays hex, so the JSON stays valid.
        static func changeLastDigit(_ line: String) throws -> String {
            var bytes = Array(line.utf8)
            guard line.hasPrefix(trustedPrefix), let index = bytes.lastIndex(where: { (0x30...0x39).contains($0) }),
                index >= trustedPrefix.utf8.count
            else { throw Unusable(description: "the trusted comment holds no digit") }
            bytes[index] = 0x30 + (bytes[index] - 0x30 + 1) % 10
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// The refusals expected here, one case per failure type the readers throw.
    enum Refusal: Equatable {
        case signedFile(SignedFileFailure)
        case trust(TrustFailure)
        case sync(SyncFailure)

        /// The refusal `error` is, if it is one of these types.
        init?(_ error: (any Error)?) {
            guard let error else { return nil }
            switch error {
            case let failure as SignedFileFailure: self = .signedFile(failure)
            case let failure as TrustFailure: self = .trust(failure)
            case let failure as SyncFailure: self = .sync(failure)
            default: return nil
            }
        }

        /// The text a person sees (in an import's or a sync's report).
        var message: String {
            switch self {
            case .signedFile(let failure): failure.message
            case .trust(let failure): failure.message
            case .sync(let failure): failure.message
            }
        }
    }

    /// Changes `region` of the file at `path` and its `.minisig` on disk; returns the `.minisig` text.
    static func tamper(_ region: Region, at path: String) throws -> String {
        let file = try FileLayer.read(path, limit: 64 << 20)
        let signature = try FileLayer.readText(path + ".minisig")
        let changed = try Tamper.apply(region, file: file, signature: signature)
        if changed.file != file { try FileLayer.writeAtomically(changed.file, to: path) }
        if changed.signature != signature {
            try FileLayer.writeAtomically(Data(changed.signature.utf8), to: path + ".minisig")
        }
        return changed.signature
    }

    /// The key id a tampered `.minisig` names.
    static func keyID(of signature: String) throws -> KeyID { try MinisignSignature(text: signature).keyID }

    @Test("tampering changes its own region and nothing else", arguments: Region.allCases)
    func tamperingChangesOneRegion(_ region: Region) throws {
        let key = SigningSecretKey.generate()
        let file = Data((0..<300).map { UInt8(truncatingIfNeeded: $0) })
        let original = try key.sign(file, trustedComment: #"{"kind":"test","size":300}"#)
        let changed = try Tamper.apply(region, file: file, signature: original.fileText)
        #expect((changed.file != file) == region.inDataFile)
        #expect((changed.signature != original.fileText) == !region.inDataFile)
        if region == .cutShort {
            #expect(changed.file == file.prefix(200))
        } else if region.inDataFile {
            #expect(zip(changed.file, file).filter { $0 != $1 }.count == 1)
        }
        guard region != .algorithm else {
            #expect(throws: CryptoFailure.unsupportedAlgorithm("ED")) { try MinisignSignature(text: changed.signature) }
            return
        }
        let parsed = try MinisignSignature(text: changed.signature)
        #expect((parsed.keyID != original.keyID) == (region == .keyID))
        #expect((parsed.signature != original.signature) == (region == .signature))
        #expect((parsed.trustedComment != original.trustedComment) == (region == .trustedComment))
        #expect((parsed.globalSignature != original.globalSignature) == (region == .globalSignature))
        #expect((parsed.untrustedComment != original.untrustedComment) == (region == .untrustedComment))
        #expect(try SignedFile.parseStatement(parsed.trustedComment)["kind"] == .string("test"))
    }

    /// What headquarters' import says of a change archive changed in `region` (nil: it is merged).
    static func archiveRefusal(_ region: Region, path: String, device: String, signature: String) throws -> Refusal? {
        switch region {
        case .firstByte, .middleByte, .lastByte, .cutShort, .signature: return .signedFile(.crypto(.badSignature))
        case .algorithm: return .signedFile(.crypto(.unsupportedAlgorithm("ED")))
        case .keyID:
            return .sync(.wrongSigner(path: path, expected: device, found: try keyID(of: signature).hex))
        case .trustedComment, .globalSignature: return .signedFile(.crypto(.badTrustedComment))
        case .untrustedComment: return nil
        }
    }

    @Test(
        "a changed archive is quarantined, headquarters unchanged; a changed untrusted comment is merged",
        arguments: Region.allCases)
    func changeArchive(_ region: Region) throws {
        let (world, device, _, path) = try RefusalTests.setUp("tamper-archive-\(region.rawValue)")
        let signature = try Self.tamper(region, at: path)
        let before = try RefusalTests.snapshot(world.hubStore)
        let result = try #require(try world.importAt([path]).archives.first)
        guard let expected = try Self.archiveRefusal(region, path: path, device: device.id, signature: signature)
        else {
            #expect(result.outcome == "accepted")
            #expect(result.accepted == 3)
            #expect(try world.hubStore.counts().events == 3)
            return
        }
        #expect(result.outcome == "quarantined")
        #expect(result.reason == expected.message)
        #expect(FileLayer.exists(result.quarantine ?? ""))
        #expect(try RefusalTests.snapshot(world.hubStore) == before)
    }

    /// What a device's sync says of a receipt changed in `region` (nil: it applies).
    static func receiptRefusal(_ region: Region, signature: String) throws -> Refusal? {
        switch region {
        case .firstByte, .middleByte, .lastByte, .cutShort, .signature: return .trust(.signature(.badSignature))
        case .algorithm: return .signedFile(.crypto(.unsupportedAlgorithm("ED")))
        case .keyID: return .trust(.unnamedSigningKey(try keyID(of: signature).minisignHex))
        case .trustedComment, .globalSignature: return .trust(.signature(.badTrustedComment))
        case .untrustedComment: return nil
        }
    }

    @Test(
        "a changed receipt is refused and nothing of it applies; a changed untrusted comment applies",
        arguments: Region.allCases)
    func receipt(_ region: Region) throws {
        let (world, device, stick, _) = try RefusalTests.setUp("tamper-receipt-\(region.rawValue)")
        try world.importAt([stick.folder])
        let path = try #require(stick.receipts(for: device.id).first?.path)
        let signature = try Self.tamper(region, at: path)
        let applied = try device.store.lastReceiptVersion()
        let delivered = try device.store.deliveredThrough()
        let result = try #require(try device.sync(stick).receipts.first)
        guard let expected = try Self.receiptRefusal(region, signature: signature) else {
            #expect(result.outcome == "applied")
            #expect(try device.store.lastReceiptVersion() == 1)
            #expect(try device.store.deliveredThrough()[device.id] == 3)
            return
        }
        #expect(result.outcome == "refused")
        #expect(result.reason == expected.message)
        #expect(try device.store.lastReceiptVersion() == applied)
        #expect(try device.store.deliveredThrough() == delivered)
        #expect(FileLayer.exists(path), "a refused receipt stays where it is")
    }

    /// What `HubBackup.restore` throws for a backup changed in `region` (nil: it restores).
    static func backupRefusal(_ region: Region, signature: String) throws -> Refusal? {
        switch region {
        case .firstByte, .middleByte, .lastByte, .cutShort, .signature: return .signedFile(.crypto(.badSignature))
        case .algorithm: return .signedFile(.crypto(.unsupportedAlgorithm("ED")))
        case .keyID: return .trust(.unnamedSigningKey(try keyID(of: signature).minisignHex))
        case .trustedComment, .globalSignature: return .signedFile(.crypto(.badTrustedComment))
        case .untrustedComment: return nil
        }
    }

    @Test(
        "a changed hub backup is not restored and leaves no folder; a changed untrusted comment restores",
        arguments: Region.allCases)
    func hubBackup(_ region: Region) throws {
        let world = try SyncWorld("tamper-backup-\(region.rawValue)")
        let folder = world.folder.appending("backup")
        try FileLayer.makeFolder(folder)
        let backup = try HubBackup.write(
            hub: world.hub, store: world.hubStore, keys: world.hubKeys, to: folder, date: "2026-04-01",
            created: "2026-04-01T12:00:00.000Z")
        let signature = try Self.tamper(region, at: backup.file)
        let target = world.folder.appending("restored")
        guard let expected = try Self.backupRefusal(region, signature: signature) else {
            let restored = try HubBackup.restore(backup.file, into: target, root: world.root)
            #expect(restored.entries == backup.entries)
            #expect(try Store.open(folder: target).stateDigest() == world.hubStore.stateDigest())
            return
        }
        let thrown = #expect(throws: (any Error).self) {
            try HubBackup.restore(backup.file, into: target, root: world.root)
        }
        #expect(Refusal(thrown) == expected, "\(String(describing: thrown))")
        #expect(!FileLayer.exists(target))
    }

    /// What `EnrolmentRequest.read` throws for a request changed in `region` (nil: it reads).
    ///
    /// The request is parsed before its signature is checked (the signature proves only that
    /// it is whole, by the key it names), so a cut or a changed brace is refused as malformed
    /// JSON. Its middle byte lies in the key id within the sealing key's comment line, which
    /// nothing but the signature covers.
    static func enrolmentRefusal(_ region: Region, path: String, key: KeyID, signature: String) throws -> Refusal? {
        switch region {
        case .firstByte, .lastByte, .cutShort:
            return .sync(.malformed(path: path, reason: "it is not an enrolment request"))
        case .middleByte, .signature: return .signedFile(.crypto(.badSignature))
        case .algorithm: return .signedFile(.crypto(.unsupportedAlgorithm("ED")))
        case .keyID:
            return .signedFile(
                .crypto(.keyMismatch(expected: key.minisignHex, found: try keyID(of: signature).minisignHex)))
        case .trustedComment, .globalSignature: return .signedFile(.crypto(.badTrustedComment))
        case .untrustedComment: return nil
        }
    }

    @Test(
        "a changed enrolment request is refused, the roster unchanged; a changed untrusted comment enrols",
        arguments: Region.allCases)
    func enrolmentRequest(_ region: Region) throws {
        let world = try SyncWorld("tamper-enrol-\(region.rawValue)")
        let device = try world.device("laptop-a", site: "AMS-01", enrol: false)
        // "x", "laptop-a" and "AMS-01" fix the request's layout, so where its middle byte lies.
        let request = EnrolmentRequest(device: try device.store.device(), keys: device.keys, created: "x")
        let path = try request.write(into: try world.stick(prepared: false), key: device.keys.signing)
        let signature = try Self.tamper(region, at: path)
        let roster = try world.hubStore.enrolledDevices()
        guard
            let expected = try Self.enrolmentRefusal(
                region, path: path, key: device.keys.signing.keyID, signature: signature)
        else {
            let read = try EnrolmentRequest.read(path)
            #expect(read == request)
            #expect(try world.hubStore.enrol(try read.enrolled(wall: "2026-03-14T10:00:00.000Z", acceptedBy: "test")))
            #expect(
                try world.hubStore.enrolledDevice(device.id)?.signingKey == device.keys.signing.publicKey.fileText())
            return
        }
        let thrown = #expect(throws: (any Error).self) { try EnrolmentRequest.read(path) }
        #expect(Refusal(thrown) == expected, "\(String(describing: thrown))")
        #expect(try world.hubStore.enrolledDevices() == roster)
    }

    /// What `TrustStatement.verify` throws for a statement changed in `region` (nil: it verifies).
    static func trustRefusal(_ region: Region, root: KeyID, signature: String) throws -> TrustFailure? {
        switch region {
        case .firstByte, .middleByte, .lastByte, .cutShort, .signature: return .signature(.badSignature)
        case .algorithm: return .signature(.unsupportedAlgorithm("ED"))
        case .keyID: return .otherRoot(found: try keyID(of: signature).minisignHex, pinned: root.minisignHex)
        case .trustedComment, .globalSignature: return .signature(.badTrustedComment)
        case .untrustedComment: return nil
        }
    }

    @Test(
        "a changed trust statement is refused, alone and in TrustFiles; a changed untrusted comment verifies",
        arguments: Region.allCases)
    func trustStatement(_ region: Region) throws {
        let root = SigningSecretKey.generate()
        let statement = TrustStatement(
            version: 1, issued: "2026-03-14", expires: "2028-03-14", root: root.keyID,
            signing: [SigningSecretKey.generate().publicKey], sealing: nil, development: false)
        let signed = try statement.signed(by: root)
        let changed = try Tamper.apply(
            region, file: signed.json, signature: String(decoding: signed.signature, as: UTF8.self))
        let signature = Data(changed.signature.utf8)
        let files = TrustFiles(json: changed.file, signature: signature)
        guard let expected = try Self.trustRefusal(region, root: root.keyID, signature: changed.signature) else {
            #expect(
                try TrustStatement.verify(json: changed.file, signature: signature, root: root.publicKey) == statement)
            #expect(try files.verify(pinned: root.publicKey).statement == statement)
            return
        }
        #expect(throws: expected) {
            try TrustStatement.verify(json: changed.file, signature: signature, root: root.publicKey)
        }
        #expect(throws: expected) { try files.verify(pinned: root.publicKey) }
    }

    /// What `RootHandover.verify` throws for a handover changed in `region` (nil: it verifies).
    static func handoverRefusal(_ region: Region, from root: KeyID, signature: String) throws -> TrustFailure? {
        switch region {
        case .firstByte, .middleByte, .lastByte, .cutShort, .signature: return .signature(.badSignature)
        case .algorithm: return .signature(.unsupportedAlgorithm("ED"))
        case .keyID:
            return .signature(.keyMismatch(expected: root.minisignHex, found: try keyID(of: signature).minisignHex))
        case .trustedComment, .globalSignature: return .signature(.badTrustedComment)
        case .untrustedComment: return nil
        }
    }

    @Test(
        "a changed root handover is refused and not followed; a changed untrusted comment is followed",
        arguments: Region.allCases)
    func rootHandover(_ region: Region) throws {
        let old = SigningSecretKey.generate()
        let new = SigningSecretKey.generate()
        let handover = RootHandover(from: old.keyID, to: new.publicKey, issued: "2026-04-01")
        let signed = try handover.signed(by: old)
        let changed = try Tamper.apply(
            region, file: signed.json, signature: String(decoding: signed.signature, as: UTF8.self))
        let signature = Data(changed.signature.utf8)
        let statement = try TrustStatement(
            version: 2, issued: "2026-04-01", expires: "2028-04-01", root: new.keyID,
            signing: [SigningSecretKey.generate().publicKey], sealing: nil, development: false
        ).signed(by: new)
        let files = TrustFiles(
            json: statement.json, signature: statement.signature,
            handovers: [TrustFiles.Handover(json: changed.file, signature: signature)])
        guard let expected = try Self.handoverRefusal(region, from: old.keyID, signature: changed.signature) else {
            #expect(try RootHandover.verify(json: changed.file, signature: signature, root: old.publicKey) == handover)
            let checked = try files.verify(pinned: old.publicKey)
            #expect(checked.rootChanged)
            #expect(checked.root == new.publicKey)
            return
        }
        #expect(throws: expected) {
            try RootHandover.verify(json: changed.file, signature: signature, root: old.publicKey)
        }
        // A device pinned to the old root does not move to the new one.
        #expect(throws: TrustFailure.otherRoot(found: new.keyID.minisignHex, pinned: old.keyID.minisignHex)) {
            try files.verify(pinned: old.publicKey)
        }
    }
}
