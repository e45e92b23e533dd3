import Foundation

/// The 8-byte key id of minisign, shown as 16 hex digits of its little-endian value.
public struct KeyID: Hashable, Sendable, CustomStringConvertible {
    /// The bytes as they stand in key and signature files.
    public let bytes: Data

    /// Wraps 8 bytes read from a key or signature file.
    public init?(bytes: Data) {
        guard bytes.count == 8 else { return nil }
        self.bytes = Data(bytes)
    }

    /// Upper-case hex as minisign prints it (`minisign public key 3A1F…`).
    public var minisignHex: String { hex.uppercased() }

    /// Lower-case hex of the little-endian value: the device id when this is a device's key.
    public var hex: String { bytes.reversed().hexString }

    public var description: String { minisignHex }

    /// Makes a key id from a 64-bit value (stored little-endian, as minisign does).
    public init(value: UInt64) {
        self.bytes = Data((0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) })
    }

    /// A fresh random key id.
    public static func random() -> KeyID {
        var generator = SystemRandomNumberGenerator()
        return KeyID(value: generator.next())
    }
}
