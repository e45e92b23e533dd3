import FieldKitCrypto
import FieldKitTestSupport
import Foundation
import Testing

/// Sealed files (Sync/SPEC.md §16.1): round trips, the golden vector, and every way of
/// changing, cutting or reordering a sealed file.
@Suite("sealing: X25519 + HKDF + chunked ChaCha20-Poly1305 with the statement as associated data")
struct SealingTests {
    static let vectorPath = Repository.path("Sync/vectors/sealed-v1.json")
    static let aad = Data(#"{"device":"0123456789abcdef","kind":"changes"}"#.utf8)

    /// Plaintext of `count` bytes that differ from chunk to chunk.
    static func plaintext(_ count: Int) -> Data {
        Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 65_536) })
    }

    /// The chunks after the header, as sealed.
    static func chunks(_ sealed: Data) -> [Data] {
        let body = sealed.dropFirst(Sealing.headerSize)
        let whole = Sealing.chunkSize + Sealing.tagSize
        return stride(from: body.startIndex, to: body.endIndex, by: whole).map {
            Data(body[$0..<min($0 + whole, body.endIndex)])
        }
    }

    @Test(
        "sealing and opening give back every size, in one call or streamed in odd pieces",
        arguments: [0, 1, 65_535, 65_536, 65_537, 3 * 65_536 + 5])
    func roundTrip(size: Int) throws {
        let key = SealingSecretKey.generate()
        let plain = Self.plaintext(size)
        let sealed = try Sealing.seal(plain, to: key.publicKey, associatedData: Self.aad)
        #expect(sealed.count == Sealing.headerSize + size + Sealing.tagSize * max(1, (size + 65_535) / 65_536))
        #expect(try Sealing.open(sealed, with: key, associatedData: Self.aad) == plain)
        #expect(try Sealing.recipient(of: sealed) == key.keyID)

        var sealer = try Sealing.Sealer(to: key.publicKey, associatedData: Self.aad)
        var streamed = sealer.header
        var offset = 0
        var step = 1
        while offset < plain.count {
            let end = min(plain.count, offset + step)
            streamed.append(try sealer.update(plain[offset..<end]))
            offset = end
            step = step * 7 + 3
        }
        streamed.append(try sealer.finish())
        var opener = try Sealing.Opener(
            header: streamed.prefix(Sealing.headerSize), key: key, associatedData: Self.aad)
        var opened = Data()
        for start in stride(from: Sealing.headerSize, to: streamed.count, by: 10_007) {
            opened.append(try opener.update(streamed[start..<min(streamed.count, start + 10_007)]))
        }
        opened.append(try opener.finish())
        #expect(opened == plain)
    }

    /// The committed vector: recipient key, seed, associated data and the sealed bytes of a
    /// short and of a three-chunk plaintext. Re-record with `FIELDKIT_RECORD=1`.
    struct Vector: Codable {
        var recipientSecret: String
        var ephemeralHex: String
        var saltHex: String
        var associatedData: String
        var shortPlaintext: String
        var shortSealedHex: String
        var longPlaintextBytes: Int
        var longSealedSHA256: String
    }

    @Test("the golden vector: an injected ephemeral key and salt seal to the committed bytes, which open")
    func goldenVector() throws {
        if Repository.recording {
            let vector = Vector(
                recipientSecret: SealingSecretKey.generate().fileText,
                ephemeralHex: (0..<32).map { _ in UInt8.random(in: 0...255) }.hexString,
                saltHex: (0..<16).map { _ in UInt8.random(in: 0...255) }.hexString,
                associatedData: String(decoding: Self.aad, as: UTF8.self), shortPlaintext: "Jaïr Martina, LO-VN-004123",
                shortSealedHex: "", longPlaintextBytes: 2 * 65_536 + 100, longSealedSHA256: "")
            try write(try sealed(vector))
        }
        let vector = try JSONDecoder().decode(
            Vector.self, from: try Data(contentsOf: URL(fileURLWithPath: Self.vectorPath)))
        let fresh = try sealed(vector)
        #expect(fresh.shortSealedHex == vector.shortSealedHex)
        #expect(fresh.longSealedSHA256 == vector.longSealedSHA256)
        let key = try SealingSecretKey(text: vector.recipientSecret)
        let short = try #require(Self.bytes(hex: vector.shortSealedHex))
        #expect(
            try Sealing.open(short, with: key, associatedData: Data(vector.associatedData.utf8))
                == Data(vector.shortPlaintext.utf8))
    }

    func sealed(_ vector: Vector) throws -> Vector {
        var vector = vector
        let key = try SealingSecretKey(text: vector.recipientSecret)
        let seed = try Sealing.Seed(
            ephemeral: try #require(Self.bytes(hex: vector.ephemeralHex)),
            salt: try #require(Self.bytes(hex: vector.saltHex)))
        let aad = Data(vector.associatedData.utf8)
        vector.shortSealedHex = try Sealing.seal(
            Data(vector.shortPlaintext.utf8), to: key.publicKey, associatedData: aad, seed: seed
        ).hexString
        vector.longSealedSHA256 = Hashing.sha256Hex(
            try Sealing.seal(
                Self.plaintext(vector.longPlaintextBytes), to: key.publicKey, associatedData: aad, seed: seed))
        return vector
    }

    func write(_ vector: Vector) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        try encoder.encode(vector).write(to: URL(fileURLWithPath: Self.vectorPath))
    }

    static func bytes(hex: String) -> Data? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out = Data()
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else {
                return nil
            }
            out.append(byte)
        }
        return out
    }

    /// Expects `sealed` not to open, as damaged.
    func expectDamaged(_ sealed: Data, key: SealingSecretKey, aad: Data = aad, _ what: String) {
        do {
            _ = try Sealing.open(sealed, with: key, associatedData: aad)
            Issue.record("\(what) opened")
        } catch {
            switch error {
            case .sealedDamaged, .malformed: break
            default: Issue.record("\(what): \(error)")
            }
        }
    }

    @Test(
        "a changed byte anywhere, a cut, a dropped, repeated, swapped or added chunk, or other associated data: refused"
    )
    func tampering() throws {
        let key = SealingSecretKey.generate()
        let sealed = try Sealing.seal(Self.plaintext(3 * 65_536 + 5), to: key.publicKey, associatedData: Self.aad)
        let header = sealed.prefix(Sealing.headerSize)
        let chunks = Self.chunks(sealed)
        #expect(chunks.count == 4)
        for offset in [16, 47, 48, 63, 64, 64 + 65_536, 64 + 65_552, sealed.count - 1] {
            var changed = sealed
            changed[offset] ^= 0x01
            expectDamaged(changed, key: key, "a byte changed at \(offset)")
        }
        expectDamaged(header + chunks[0] + chunks[1] + chunks[2], key: key, "cut at a chunk boundary")
        expectDamaged(sealed.dropLast(7), key: key, "cut inside the last chunk")
        expectDamaged(sealed.prefix(Sealing.headerSize + 10), key: key, "cut inside the first chunk")
        expectDamaged(header, key: key, "nothing after the header")
        expectDamaged(header + chunks[0] + chunks[2] + chunks[3], key: key, "a chunk dropped")
        expectDamaged(header + chunks[0] + chunks[1] + chunks[1] + chunks[2] + chunks[3], key: key, "a chunk repeated")
        expectDamaged(header + chunks[1] + chunks[0] + chunks[2] + chunks[3], key: key, "two chunks swapped")
        expectDamaged(sealed + chunks[3], key: key, "the last chunk added again")
        expectDamaged(sealed, key: key, aad: Data("{}".utf8), "other associated data")
        #expect(try Sealing.open(sealed, with: key, associatedData: Self.aad) == Self.plaintext(3 * 65_536 + 5))
    }

    @Test("a file sealed to another key names that key and is refused before any chunk is tried")
    func otherRecipient() throws {
        let mine = SealingSecretKey.generate()
        let theirs = SealingSecretKey.generate()
        let sealed = try Sealing.seal(Data("a note".utf8), to: theirs.publicKey, associatedData: Self.aad)
        #expect(throws: CryptoFailure.notSealedTo(expected: mine.keyID.minisignHex, found: theirs.keyID.minisignHex)) {
            try Sealing.open(sealed, with: mine, associatedData: Self.aad)
        }
        #expect(throws: CryptoFailure.self) {
            try Sealing.open(Data("not sealed".utf8), with: mine, associatedData: Self.aad)
        }
    }
}
