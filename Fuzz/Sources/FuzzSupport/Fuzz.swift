import FieldKitArchive
import FieldKitCrypto
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What the fuzz targets share: the input as bytes or text, the limits they read under, and
/// the key and statement values the receipt and unseal targets need.
public enum Fuzz {
    /// The input libFuzzer hands over, as bytes.
    public static func data(_ start: UnsafeRawPointer, _ count: Int) -> Data { Data(bytes: start, count: count) }

    /// The input as text, decoded as a file from a stick is (invalid UTF-8 replaced).
    public static func text(_ start: UnsafeRawPointer, _ count: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    }

    /// Small limits, so the fuzzer explores shapes rather than sizes.
    public static let archiveLimits = ArchiveLimits(
        maximumEntries: 16, maximumEntrySize: 1 << 20, maximumTotalSize: 4 << 20)

    /// The associated data the unseal target's seeds were sealed with.
    public static let associatedData = Data("fieldkit fuzz".utf8)

    /// The receipt the receipt target's inputs must claim to be (its signed statement's values).
    public static let receiptDevice = "f00df00df00df00d"
    public static let receiptVersion: Int64 = 1
    public static let receiptFormat: Int64 = 2

    /// `Fuzz/fuzz-sealing.key`: a key made for fuzzing only, which the unseal target opens with.
    public static let sealingKey: SealingSecretKey = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fuzz-sealing.key").path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let key = try? SealingSecretKey(text: text)
        else {
            FileHandle.standardError.write(Data("error: \(path) is missing or not a sealing key\n".utf8))
            exit(78)
        }
        return key
    }()

    /// Stops the run as a crash when a property does not hold, so libFuzzer keeps the input.
    public static func require(_ condition: Bool, _ what: String) {
        guard !condition else { return }
        FileHandle.standardError.write(Data("property failed: \(what)\n".utf8))
        abort()
    }
}
