import FieldKitCrypto
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A file with a detached minisign signature beside it whose trusted comment carries a
/// statement: one line of JSON that says what the file is.
///
/// Files up to `directLimit` are signed whole, so the stock `minisign -V` checks them. Larger
/// ones (backups, executables) are signed through `NAME.chunks`, a small manifest of the
/// SHA-256 of each `chunkSize` piece; the signature covers that manifest, and verifying
/// streams the file against it, so memory stays bounded.
public enum SignedFile {
    /// The largest file signed whole.
    public static let directLimit = 64 << 20
    /// The piece size of a chunk manifest.
    public static let chunkSize = 4 << 20
    /// The largest signature file read.
    static let signatureLimit = 8 << 10

    /// The chunk manifest of a large file.
    public struct ChunkManifest: Codable, Equatable, Sendable {
        /// Manifest format version.
        public var format: Int
        /// The signed file's size.
        public var size: Int64
        /// The piece size.
        public var chunkSize: Int
        /// Lower-case hex SHA-256 of each piece, in order.
        public var chunks: [String]
    }

    /// Signs `path`, writing `path.minisig` (and `path.chunks` when large) atomically.
    public static func sign(
        _ path: String, key: SigningSecretKey, statement: [String: JSONValue]
    ) throws(SignedFileFailure) -> MinisignSignature {
        let size = try fileSize(path)
        var statement = statement
        statement["size"] = .int(size)
        let message: Data
        if size <= directLimit {
            message = try readAll(path, limit: directLimit)
            statement["sha256"] = .string(Hashing.sha256Hex(message))
        } else {
            let manifest = try chunkManifest(of: path, size: size)
            message = try canonicalJSON(manifest)
            statement["chunked"] = .bool(true)
            do { try FileLayer.writeAtomically(message, to: path + ".chunks") } catch { throw .io(error) }
        }
        let comment = String(decoding: try canonicalJSON(statement), as: UTF8.self)
        let signature: MinisignSignature
        do {
            signature = try key.sign(
                message, trustedComment: comment, untrustedComment: "signature from fieldkit key \(key.keyID)")
        } catch { throw .crypto(error) }
        do { try FileLayer.writeAtomically(Data(signature.fileText.utf8), to: path + ".minisig") } catch {
            throw .io(error)
        }
        return signature
    }

    /// Reads `path.minisig`: a missing or cut-short signature means the copy is incomplete.
    public static func readSignature(of path: String) throws(SignedFileFailure) -> MinisignSignature {
        let sigPath = path + ".minisig"
        let text: String
        do { text = try FileLayer.readText(sigPath, limit: signatureLimit) } catch {
            if case .missingFile = error {
                throw .incomplete(path: path, reason: "its signature \(sigPath) is missing")
            }
            throw .io(error)
        }
        do { return try MinisignSignature(text: text) } catch {
            if MinisignText.lines(text).count < 4 {
                throw .incomplete(path: path, reason: "its signature \(sigPath) is cut short")
            }
            throw .crypto(error)
        }
    }

    /// Verifies `path` against `publicKey`, files over `limit` refused before reading; returns
    /// the signed statement.
    public static func verify(
        _ path: String, publicKey: MinisignPublicKey, limit: Int
    ) throws(SignedFileFailure) -> [String: JSONValue] {
        let signature = try readSignature(of: path)
        let size = try fileSize(path)
        guard size <= limit else { throw .io(.tooLarge(path: path, limit: limit)) }
        let statement = try parseStatement(signature.trustedComment)
        if statement["chunked"] == .bool(true) {
            guard FileLayer.exists(path + ".chunks") else {
                throw .incomplete(path: path, reason: "its chunk manifest \(path).chunks is missing")
            }
            let manifestData = try readAll(path + ".chunks", limit: 1 << 20)
            do { try publicKey.verify(signature, of: manifestData) } catch { throw .crypto(error) }
            guard let manifest = try? JSONDecoder().decode(ChunkManifest.self, from: manifestData) else {
                throw .statement("the chunk manifest is not valid JSON")
            }
            guard manifest.size == size, try chunkManifest(of: path, size: size) == manifest else {
                throw .crypto(.badSignature)
            }
        } else {
            let data = try readAll(path, limit: directLimit)
            do { try publicKey.verify(signature, of: data) } catch { throw .crypto(error) }
        }
        guard statement["size"] == .int(size) else { throw .statement("the signed size does not match the file") }
        return statement
    }

    /// Verifies bytes already read from `path` (so what is checked is exactly what is parsed
    /// next); a chunked file's pieces are checked against its signed chunk manifest.
    public static func verify(
        bytes: Data, of path: String, publicKey: MinisignPublicKey
    ) throws(SignedFileFailure) -> [String: JSONValue] {
        let signature = try readSignature(of: path)
        let statement = try parseStatement(signature.trustedComment)
        if statement["chunked"] == .bool(true) {
            guard FileLayer.exists(path + ".chunks") else {
                throw .incomplete(path: path, reason: "its chunk manifest \(path).chunks is missing")
            }
            let manifestData = try readAll(path + ".chunks", limit: 1 << 20)
            do { try publicKey.verify(signature, of: manifestData) } catch { throw .crypto(error) }
            guard let manifest = try? JSONDecoder().decode(ChunkManifest.self, from: manifestData),
                manifest.size == Int64(bytes.count), manifest.chunkSize > 0
            else { throw .crypto(.badSignature) }
            let pieces = stride(from: 0, to: bytes.count, by: manifest.chunkSize).map { start in
                Hashing.sha256Hex(
                    bytes[bytes.startIndex + start..<bytes.startIndex + min(start + manifest.chunkSize, bytes.count)])
            }
            guard pieces == manifest.chunks else { throw .crypto(.badSignature) }
        } else {
            do { try publicKey.verify(signature, of: bytes) } catch { throw .crypto(error) }
            guard statement["sha256"] == .string(Hashing.sha256Hex(bytes)) else {
                throw .statement("the signed SHA-256 does not match the file")
            }
        }
        guard statement["size"] == .int(Int64(bytes.count)) else {
            throw .statement("the signed size does not match the file")
        }
        return statement
    }

    /// The associated data a sealed file is sealed under (Sync/SPEC.md §16.1): its statement
    /// without what signing adds (`size`, `sha256`, `chunked`), as canonical JSON.
    public static func associatedData(_ statement: [String: JSONValue]) throws(SignedFileFailure) -> Data {
        var fields = statement
        for key in ["size", "sha256", "chunked"] { fields[key] = nil }
        return try canonicalJSON(fields)
    }

    /// Parses a trusted comment as a statement (one JSON object).
    public static func parseStatement(_ comment: String) throws(SignedFileFailure) -> [String: JSONValue] {
        guard comment.utf8.count <= 4096,
            let value = try? JSONDecoder().decode([String: JSONValue].self, from: Data(comment.utf8))
        else { throw .statement("the trusted comment is not a fieldkit statement") }
        return value
    }

    /// Sorted-key JSON without insignificant white space.
    public static func canonicalJSON(_ value: some Encodable) throws(SignedFileFailure) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do { return try encoder.encode(value) } catch { throw .statement("it could not be encoded") }
    }

    static func chunkManifest(of path: String, size: Int64) throws(SignedFileFailure) -> ChunkManifest {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .io(.cannotRead(path: path, code: errno, description: FileLayer.errorText()))
        }
        defer { try? handle.close() }
        var chunks: [String] = []
        var total: Int64 = 0
        while true {
            let piece: Data
            do { piece = try handle.read(upToCount: chunkSize) ?? Data() } catch {
                throw .io(.cannotRead(path: path, code: 0, description: "\(error)"))
            }
            if piece.isEmpty { break }
            total += Int64(piece.count)
            chunks.append(Hashing.sha256Hex(piece))
        }
        guard total == size else { throw .io(.cannotRead(path: path, code: 0, description: "the file changed")) }
        return ChunkManifest(format: 1, size: size, chunkSize: chunkSize, chunks: chunks)
    }

    static func fileSize(_ path: String) throws(SignedFileFailure) -> Int64 {
        do { return try FileLayer.size(of: path) } catch { throw .io(error) }
    }

    static func readAll(_ path: String, limit: Int) throws(SignedFileFailure) -> Data {
        do { return try FileLayer.read(path, limit: limit) } catch { throw .io(error) }
    }
}

/// Why a signed file was refused.
public enum SignedFileFailure: Error, Equatable, Sendable {
    /// The signature is missing or cut short: an interrupted copy, not tampering.
    case incomplete(path: String, reason: String)
    /// The signature does not verify or is malformed.
    case crypto(CryptoFailure)
    /// The trusted comment is not a statement we read, or it contradicts the file.
    case statement(String)
    /// Reading or writing failed.
    case io(CoreFailure)
}

extension SignedFileFailure: FieldKitError {
    public var message: String {
        switch self {
        case .incomplete(let path, let reason): "\(path) is incomplete: \(reason)"
        case .crypto(let failure): failure.message
        case .statement(let reason): "the signed statement is invalid: \(reason)"
        case .io(let failure): failure.message
        }
    }

    public var hint: String? {
        switch self {
        case .incomplete: "copy the file and its .minisig again from their source"
        case .crypto(let failure): failure.hint
        case .statement: "do not use this file; get a fresh copy from its source"
        case .io(let failure): failure.hint
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .incomplete, .statement: .dataError
        case .crypto(let failure): failure.exitStatus
        case .io(let failure): failure.exitStatus
        }
    }
}
