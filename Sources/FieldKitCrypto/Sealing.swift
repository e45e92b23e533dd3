import Crypto
import Foundation

/// Sealed files (Sync/SPEC.md §16.1): X25519 with an ephemeral key, HKDF-SHA-256, and
/// ChaCha20-Poly1305 over fixed-size chunks, each chunk authenticated with the caller's
/// associated data (a signed file's statement).
///
/// ```
/// header  = "FKSEALv1" || recipient key id (8) || ephemeral public key (32) || salt (16)
/// key     = HKDF-SHA-256(X25519(ephemeral, recipient), salt,
///                        "fieldkit sealed v1" || recipient key id || ephemeral || recipient key, 32)
/// chunk i = ChaCha20-Poly1305(key, nonce = i as 11 bytes big-endian || final flag, aad, piece i)
/// ```
///
/// Every chunk but the last holds exactly `chunkSize` bytes of plaintext; the last holds
/// 0 … `chunkSize` and is the only one sealed with the final flag, so a file cut at a chunk
/// boundary, a dropped, repeated or swapped chunk, and a changed header all fail to open.
public enum Sealing {
    /// The first bytes of every sealed file.
    public static let magic = Data("FKSEALv1".utf8)
    /// The plaintext bytes per chunk.
    public static let chunkSize = 64 << 10
    /// The Poly1305 tag after each chunk.
    public static let tagSize = 16
    /// Magic, recipient key id, ephemeral public key, salt.
    public static let headerSize = 8 + 8 + 32 + 16
    static let info = Data("fieldkit sealed v1".utf8)

    /// Whether `data` starts like a sealed file.
    public static func looksSealed(_ data: Data) -> Bool { data.prefix(magic.count) == magic }

    /// The recipient key id a sealed file names (unauthenticated until it opens).
    public static func recipient(of data: Data) throws(CryptoFailure) -> KeyID {
        guard data.count >= headerSize, looksSealed(data),
            let id = KeyID(bytes: data.subdata(in: data.startIndex + 8..<data.startIndex + 16))
        else { throw .malformed(what: "sealed file", reason: "it does not start with a fieldkit sealed header") }
        return id
    }

    /// Seals `plaintext` in one call (see `Sealer` for streaming).
    public static func seal(
        _ plaintext: Data, to recipient: SealingPublicKey, associatedData: Data, seed: Seed? = nil
    ) throws(CryptoFailure) -> Data {
        var sealer = try Sealer(to: recipient, associatedData: associatedData, seed: seed)
        var out = sealer.header
        out.append(try sealer.update(plaintext))
        out.append(try sealer.finish())
        return out
    }

    /// Opens a whole sealed file with `key` (see `Opener` for streaming).
    public static func open(
        _ sealed: Data, with key: SealingSecretKey, associatedData: Data
    ) throws(CryptoFailure) -> Data {
        var opener = try Opener(header: sealed.prefix(headerSize), key: key, associatedData: associatedData)
        var out = try opener.update(sealed.dropFirst(headerSize))
        out.append(try opener.finish())
        return out
    }

    /// The ephemeral secret and salt, injected only to make golden vectors reproducible.
    public struct Seed: Sendable {
        /// The raw ephemeral X25519 secret (checked when made).
        let ephemeral: Data
        let salt: Data

        /// A seed from 32 bytes of ephemeral X25519 secret and 16 bytes of salt.
        public init(ephemeral: Data, salt: Data) throws(CryptoFailure) {
            guard salt.count == 16, (try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: ephemeral)) != nil
            else { throw .malformed(what: "sealing seed", reason: "expected a 32-byte X25519 secret and 16 bytes") }
            self.ephemeral = ephemeral
            self.salt = salt
        }

        static func random() -> Seed {
            var generator = SystemRandomNumberGenerator()
            return Seed(
                raw: Curve25519.KeyAgreement.PrivateKey().rawRepresentation,
                salt: Data((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }))
        }

        private init(raw: Data, salt: Data) {
            self.ephemeral = raw
            self.salt = salt
        }
    }

    /// Seals a stream: feed plaintext with `update`, end with `finish`; write `header` first.
    /// Memory stays at one chunk whatever the size.
    public struct Sealer {
        /// The bytes that start the sealed file.
        public let header: Data
        private let key: SymmetricKey
        private let associatedData: Data
        private var counter: UInt64 = 0
        private var pending = Data()
        private var finished = false

        /// Starts sealing to `recipient`; `seed` only for golden vectors.
        public init(to recipient: SealingPublicKey, associatedData: Data, seed: Seed? = nil) throws(CryptoFailure) {
            let seed = seed ?? .random()
            guard let peer = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: recipient.rawKey) else {
                throw .malformed(what: "sealing public key", reason: "the key bytes are not an X25519 key")
            }
            guard let secret = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: seed.ephemeral) else {
                throw .malformed(what: "sealing seed", reason: "the ephemeral secret is not an X25519 key")
            }
            let ephemeral = secret.publicKey.rawRepresentation
            header = magic + recipient.keyID.bytes + ephemeral + seed.salt
            key = try Sealing.deriveKey(
                secret: secret, peer: peer, recipient: recipient, ephemeral: ephemeral, salt: seed.salt)
            self.associatedData = associatedData
        }

        /// Adds plaintext; returns the sealed chunks it completes. A full chunk is held back
        /// until more follows, since only `finish` knows which chunk is the last.
        public mutating func update(_ plaintext: some DataProtocol) throws(CryptoFailure) -> Data {
            pending.append(contentsOf: plaintext)
            var out = Data()
            // Walk the buffer by index and keep the rest once: no copying per chunk.
            var start = pending.startIndex
            while pending.endIndex - start > chunkSize {
                out.append(
                    try Sealing.sealChunk(
                        pending[start..<start + chunkSize], key: key, counter: counter, final: false,
                        aad: associatedData))
                start += chunkSize
                counter += 1
            }
            if start != pending.startIndex { pending = Data(pending[start...]) }
            return out
        }

        /// Seals what is left as the final chunk.
        public mutating func finish() throws(CryptoFailure) -> Data {
            guard !finished else { return Data() }
            finished = true
            return try Sealing.sealChunk(pending, key: key, counter: counter, final: true, aad: associatedData)
        }
    }

    /// Opens a stream: feed sealed bytes after the header with `update`, end with `finish`.
    public struct Opener {
        private let key: SymmetricKey
        private let associatedData: Data
        private var counter: UInt64 = 0
        private var pending = Data()

        /// Reads `header` and derives the key; refuses a header sealed to another key.
        public init(header: Data, key secret: SealingSecretKey, associatedData: Data) throws(CryptoFailure) {
            let recipient = try Sealing.recipient(of: header)
            guard recipient == secret.keyID else {
                throw .notSealedTo(expected: secret.keyID.minisignHex, found: recipient.minisignHex)
            }
            let start = header.startIndex
            let ephemeral = header.subdata(in: start + 16..<start + 48)
            let salt = header.subdata(in: start + 48..<start + 64)
            guard let peer = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: ephemeral) else {
                throw .sealedDamaged("its ephemeral key is not an X25519 key")
            }
            key = try Sealing.deriveKey(
                secret: secret.key, peer: peer, recipient: secret.publicKey, ephemeral: ephemeral, salt: salt)
            self.associatedData = associatedData
        }

        /// Adds sealed bytes; returns the plaintext of the chunks it completes (the last full
        /// chunk is held back: it might be the final one).
        public mutating func update(_ sealed: some DataProtocol) throws(CryptoFailure) -> Data {
            pending.append(contentsOf: sealed)
            var out = Data()
            let whole = chunkSize + tagSize
            var start = pending.startIndex
            while pending.endIndex - start > whole {
                out.append(
                    try Sealing.openChunk(
                        pending[start..<start + whole], key: key, counter: counter, final: false, aad: associatedData))
                start += whole
                counter += 1
            }
            if start != pending.startIndex { pending = Data(pending[start...]) }
            return out
        }

        /// Opens the last chunk, which must carry the final flag.
        public mutating func finish() throws(CryptoFailure) -> Data {
            guard pending.count >= tagSize else { throw .sealedDamaged("it is cut short") }
            let out = try Sealing.openChunk(pending, key: key, counter: counter, final: true, aad: associatedData)
            pending = Data()
            return out
        }
    }

    static func deriveKey(
        secret: Curve25519.KeyAgreement.PrivateKey, peer: Curve25519.KeyAgreement.PublicKey,
        recipient: SealingPublicKey, ephemeral: Data, salt: Data
    ) throws(CryptoFailure) -> SymmetricKey {
        let shared: SharedSecret
        do { shared = try secret.sharedSecretFromKeyAgreement(with: peer) } catch {
            throw .sealedDamaged("its ephemeral key gives no shared secret")
        }
        return shared.hkdfDerivedSymmetricKey(
            using: SHA256.self, salt: salt, sharedInfo: info + recipient.keyID.bytes + ephemeral + recipient.rawKey,
            outputByteCount: 32)
    }

    static func nonce(counter: UInt64, final: Bool) throws(CryptoFailure) -> ChaChaPoly.Nonce {
        var bytes = Data(count: 3)
        withUnsafeBytes(of: counter.bigEndian) { bytes.append(contentsOf: $0) }
        bytes.append(final ? 1 : 0)
        do { return try ChaChaPoly.Nonce(data: bytes) } catch { throw .library("\(error)") }
    }

    static func sealChunk(
        _ piece: some DataProtocol, key: SymmetricKey, counter: UInt64, final: Bool, aad: Data
    ) throws(CryptoFailure) -> Data {
        do {
            let box = try ChaChaPoly.seal(
                piece, using: key, nonce: try nonce(counter: counter, final: final), authenticating: aad)
            return box.ciphertext + box.tag
        } catch { throw .library("\(error)") }
    }

    static func openChunk(
        _ piece: Data, key: SymmetricKey, counter: UInt64, final: Bool, aad: Data
    ) throws(CryptoFailure) -> Data {
        let start = piece.startIndex
        let split = piece.endIndex - tagSize
        do {
            let box = try ChaChaPoly.SealedBox(
                nonce: try nonce(counter: counter, final: final), ciphertext: piece[start..<split],
                tag: piece[split..<piece.endIndex])
            return try ChaChaPoly.open(box, using: key, authenticating: aad)
        } catch {
            throw .sealedDamaged(
                "chunk \(counter) does not open: the file was changed, cut short or reordered, or sealed for another statement"
            )
        }
    }
}
