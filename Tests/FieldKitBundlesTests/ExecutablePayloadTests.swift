import FieldKitBundles
import FieldKitCore
import FieldKitTestSupport
import Foundation
import Testing

@Suite("a field edition's payload")
struct ExecutablePayloadTests {
    @Test("a payload with bytes after its last part, one cut short and one whose length is out of range are refused")
    func malformedPayloads() throws {
        let folder = TemporaryFolder("payload")
        let bare = Data("\u{7F}ELF not really an executable".utf8)
        try FileLayer.writeAtomically(bare, to: folder.appending("bare"))
        let contents = ExecutablePayload.Contents(
            parts: BundleParts(
                bundle: Data("bundle".utf8), signature: Data("signature".utf8), trustJSON: Data("{}".utf8),
                trustSignature: Data("trust signature".utf8)),
            root: Data("root".utf8))
        try ExecutablePayload.write(
            executable: folder.appending("bare"), output: folder.appending("edition"), contents: contents)
        #expect(try ExecutablePayload.read(folder.appending("edition")) == contents)
        #expect(try ExecutablePayload.read(folder.appending("bare")) == nil, "no trailer: no payload")

        // [bare][payload][UInt64 LE length][magic], taken apart and put together wrongly.
        let edition = try FileLayer.read(folder.appending("edition"), limit: 1 << 20)
        let payload = edition.dropFirst(bare.count).dropLast(16)
        let magic = edition.suffix(8)
        func framed(_ body: Data, length: UInt64) -> Data {
            bare + body + Data((0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) }) + magic
        }
        for (name, bytes, reason) in [
            (
                "trailing", framed(payload + Data([0]), length: UInt64(payload.count + 1)),
                "it has bytes after its last part"
            ),
            ("cut", framed(payload.dropLast(1), length: UInt64(payload.count - 1)), "it is cut short"),
            (
                "range", framed(payload, length: UInt64(payload.count) + UInt64(bare.count) + 1),
                "its length is out of range"
            ),
            ("huge", framed(payload, length: 1 << 40), "its length is out of range"),
        ] {
            try FileLayer.writeAtomically(bytes, to: folder.appending(name))
            #expect(throws: BundleFailure.payload(reason), "\(name)") {
                try ExecutablePayload.read(folder.appending(name))
            }
        }
    }
}
