import FieldKitCore
import FieldKitCrypto
import Foundation

/// A bundle appended to a copy of the executable (a "field edition"):
/// `[payload][UInt64 LE length][8-byte magic]`, read through `/proc/self/exe`.
///
/// The payload holds five length-prefixed parts: bundle, its signature, `trust.json`, its
/// signature and headquarters' root public key. Nothing in it is trusted until verified.
public enum ExecutablePayload {
    static let magic = Data("FKPAYLD1".utf8)
    static let limit = 64 << 20

    /// What a field edition carries.
    public struct Contents: Sendable, Equatable {
        public var parts: BundleParts
        public var root: Data

        /// Makes the contents.
        public init(parts: BundleParts, root: Data) {
            self.parts = parts
            self.root = root
        }
    }

    /// The payload of the executable at `path`, or nil when it carries none.
    public static func read(_ path: String = "/proc/self/exe") throws(BundleFailure) -> Contents? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        do {
            guard let (end, length) = try trailer(handle) else { return nil }
            guard length <= UInt64(limit), length + 16 <= end else {
                throw BundleFailure.payload("its length is out of range")
            }
            try handle.seek(toOffset: end - 16 - length)
            let payload = try handle.read(upToCount: Int(length)) ?? Data()
            return try decode(payload)
        } catch let failure as BundleFailure {
            throw failure
        } catch {
            throw .payload("it could not be read")
        }
    }

    /// The file's size and the payload length its trailer gives, or nil when it has no trailer.
    static func trailer(_ handle: FileHandle) throws -> (end: UInt64, length: UInt64)? {
        let end = try handle.seekToEnd()
        guard end >= 16 else { return nil }
        try handle.seek(toOffset: end - 16)
        let trailer = try handle.read(upToCount: 16) ?? Data()
        guard trailer.count == 16, trailer.suffix(8) == magic else { return nil }
        return (end, littleEndian(trailer.prefix(8)))
    }

    static func littleEndian(_ data: Data) -> UInt64 {
        data.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }

    /// The size of the executable without any payload.
    static func bareSize(_ data: Data) -> Int {
        guard data.count >= 16, data.suffix(8) == magic else { return data.count }
        let trailer = data.suffix(16)
        let length = trailer.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        return length + 16 <= data.count ? data.count - 16 - length : data.count
    }

    /// Writes a copy of `executable` carrying `contents` to `output` (mode 0755), replacing any payload.
    public static func write(executable: String, output: String, contents: Contents) throws {
        let original = try FileLayer.read(executable, limit: 1 << 30)
        var data = original.prefix(bareSize(original))
        let payload = encode(contents)
        data.append(payload)
        data.append(contentsOf: (0..<8).map { UInt8(truncatingIfNeeded: UInt64(payload.count) >> (8 * UInt64($0))) })
        data.append(magic)
        try FileLayer.writeAtomically(Data(data), to: output, mode: 0o755)
    }

    static func encode(_ contents: Contents) -> Data {
        var out = Data()
        for part in [
            contents.parts.bundle, contents.parts.signature, contents.parts.trustJSON, contents.parts.trustSignature,
            contents.root,
        ] {
            out.append(contentsOf: (0..<4).map { UInt8(truncatingIfNeeded: UInt32(part.count) >> (8 * UInt32($0))) })
            out.append(part)
        }
        return out
    }

    static func decode(_ payload: Data) throws(BundleFailure) -> Contents {
        var parts: [Data] = []
        var offset = payload.startIndex
        for _ in 0..<5 {
            guard payload.endIndex - offset >= 4 else { throw .payload("it is cut short") }
            let length = payload[offset..<offset + 4].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            offset += 4
            guard payload.endIndex - offset >= length else { throw .payload("it is cut short") }
            parts.append(Data(payload[offset..<offset + length]))
            offset += length
        }
        guard offset == payload.endIndex else { throw .payload("it has bytes after its last part") }
        return Contents(
            parts: BundleParts(bundle: parts[0], signature: parts[1], trustJSON: parts[2], trustSignature: parts[3]),
            root: parts[4])
    }
}

extension ExecutablePayload {
    /// The bundle's signature and the trust statement of the payload at `path`, read by seeking
    /// past the bundle: `--version` shows their versions without reading or decoding the bundle.
    public static func versions(_ path: String = "/proc/self/exe") -> (signature: Data, trustJSON: Data)? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        do {
            guard let (end, length) = try trailer(handle), length <= UInt64(limit), length + 16 <= end else {
                return nil
            }
            var offset = end - 16 - length
            var parts: [Data] = []
            for index in 0..<3 {
                try handle.seek(toOffset: offset)
                let size = littleEndian(try handle.read(upToCount: 4) ?? Data())
                offset += 4
                guard size <= 1 << 26, offset + size <= end - 16 else { return nil }
                if index > 0 {
                    guard size <= 1 << 16 else { return nil }
                    parts.append(try handle.read(upToCount: Int(size)) ?? Data())
                }
                offset += size
            }
            return (parts[0], parts[1])
        } catch {
            return nil
        }
    }
}
