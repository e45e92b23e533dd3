import Crypto
import Foundation

/// SHA-256 helpers; hashes are shown and stored as lower-case hex.
public enum Hashing {
    /// The SHA-256 of `data` as 64 lower-case hex digits.
    public static func sha256Hex(_ data: some DataProtocol) -> String {
        SHA256.hash(data: data).hexString
    }

    /// The SHA-256 of `data`, raw.
    public static func sha256(_ data: some DataProtocol) -> Data {
        Data(SHA256.hash(data: data))
    }

    /// An incremental SHA-256, for files read in pieces.
    public struct Stream {
        private var hasher = SHA256()

        /// Starts an empty hash.
        public init() {}

        /// Adds bytes.
        public mutating func update(_ data: some DataProtocol) { hasher.update(data: data) }

        /// Finishes and returns lower-case hex.
        public func finalizeHex() -> String { hasher.finalize().hexString }
    }
}

extension Sequence<UInt8> {
    /// Lower-case hex of the bytes.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
