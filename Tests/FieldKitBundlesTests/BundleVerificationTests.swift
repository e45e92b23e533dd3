import FieldKitArchive
import FieldKitBundles
import FieldKitCore
import FieldKitCrypto
import FieldKitTestSupport
import Foundation
import Testing

@Suite("bundle signing and verification")
struct BundleVerificationTests {
    /// One packed bundle for the whole suite; tests copy it before changing anything.
    static let packed: Result<(folder: TemporaryFolder, trust: TestTrust), any Error> = Result {
        let folder = TemporaryFolder("bundle-packed")
        let trust = try TestTrust(folder: folder.appending("hq"))
        try FileLayer.makeFolder(folder.appending("out"))
        try trust.pack(try CommittedContent.content.get(), to: folder.appending("out/bundle.tar.zst"))
        return (folder, trust)
    }

    /// A private copy of the packed bundle and its trust files.
    static func copy() throws -> (folder: TemporaryFolder, path: String, trust: TestTrust) {
        let (source, trust) = try packed.get()
        let folder = TemporaryFolder("bundle-copy")
        for name in ["bundle.tar.zst", "bundle.tar.zst.minisig", "trust.json", "trust.json.minisig"] {
            try FileManager.default.copyItem(atPath: source.appending("out/" + name), toPath: folder.appending(name))
        }
        return (folder, folder.appending("bundle.tar.zst"), trust)
    }

    @Test("a packed bundle verifies, and the stock minisign and tar check it independently")
    func verifies() throws {
        let (folder, path, trust) = try Self.copy()
        let verified = try BundleParts.read(path).verify(root: trust.root.publicKey)
        #expect(verified.content == (try CommittedContent.content.get()))
        #expect(verified.statement["kind"] == .string("bundle"))
        let bundle = try Tools.run("minisign", ["-V", "-p", trust.folder + "/signing.pub", "-m", path])
        #expect(bundle.status == 0, "\(bundle.stderr)")
        #expect(bundle.stdout.contains("\"kind\":\"bundle\""))
        let statement = try Tools.run(
            "minisign", ["-V", "-p", trust.folder + "/root.pub", "-m", folder.appending("trust.json")])
        #expect(statement.status == 0, "\(statement.stderr)")
        let listing = try Tools.run("tar", ["--zstd", "-tf", path])
        #expect(listing.status == 0)
        #expect(listing.stdout.split(separator: "\n").first == "manifest.json")
        #expect(listing.stdout.contains("inventory.jsonl"))
    }

    @Test("packing the same sources twice gives the same bytes")
    func reproducible() throws {
        let (folder, path, trust) = try Self.copy()
        defer { withExtendedLifetime(folder) {} }
        let again = TemporaryFolder("repack")
        try trust.pack(try CommittedContent.content.get(), to: again.appending("bundle.tar.zst"))
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: path))
                == (try Data(contentsOf: URL(fileURLWithPath: again.appending("bundle.tar.zst")))))
    }

    @Test("a bundle signed by a key the trust statement does not name is refused")
    func unnamedKey() throws {
        let (folder, path, trust) = try Self.copy()
        let stranger = SigningSecretKey.generate()
        let (json, signature) = try trust.trustFiles()
        _ = try BundleFile.pack(
            try CommittedContent.content.get(), to: path, key: stranger, trustJSON: json, trustSignature: signature)
        #expect(throws: TrustFailure.unnamedSigningKey(stranger.keyID.minisignHex)) {
            try BundleParts.read(path).verify(root: trust.root.publicKey)
        }
        _ = folder
    }

    @Test("a trust statement signed by another root is refused")
    func otherRoot() throws {
        let (folder, path, trust) = try Self.copy()
        let impostor = try TestTrust(folder: folder.appending("impostor"), signing: trust.signing)
        let (json, signature) = try impostor.trustFiles()
        try json.write(to: URL(fileURLWithPath: folder.appending("trust.json")))
        try signature.write(to: URL(fileURLWithPath: folder.appending("trust.json.minisig")))
        #expect(
            throws: TrustFailure.otherRoot(found: impostor.root.keyID.minisignHex, pinned: trust.root.keyID.minisignHex)
        ) {
            try BundleParts.read(path).verify(root: trust.root.publicKey)
        }
    }

    @Test(
        "a flipped byte in any region of any file is refused",
        arguments: [
            ("bundle.tar.zst", 0.0), ("bundle.tar.zst", 0.5), ("bundle.tar.zst", 0.999),
            ("bundle.tar.zst.minisig", -1), ("bundle.tar.zst.minisig", -2), ("bundle.tar.zst.minisig", -3),
            ("trust.json", 0.3), ("trust.json.minisig", -1), ("trust.json.minisig", -2), ("trust.json.minisig", -3),
        ])
    func flippedByte(file: String, where position: Double) throws {
        let (folder, path, trust) = try Self.copy()
        let target = folder.appending(file)
        var data = try Data(contentsOf: URL(fileURLWithPath: target))
        let index: Int
        if position >= 0 {
            index = min(data.count - 1, Int(Double(data.count) * position))
        } else {
            // Signature files: -1 the signature line, -2 the trusted comment, -3 the global signature.
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let line = [-1: 1, -2: 2, -3: 3][Int(position)] ?? 1
            let offset = lines[..<line].reduce(0) { $0 + $1.utf8.count + 1 }
            index = offset + 20
        }
        data[index] ^= 0x01
        try data.write(to: URL(fileURLWithPath: target))
        #expect {
            try BundleParts.read(path).verify(root: trust.root.publicKey)
        } throws: { error in
            (error as? any FieldKitError)?.exitStatus == .dataError
        }
    }
}
