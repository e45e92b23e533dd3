import FieldKitCore
import FieldKitCrypto
import FieldKitTestSupport
import Foundation
import Testing

@Suite("signed files")
struct SignedFileTests {
    @Test("a small file is signed whole and its statement comes back")
    func direct() throws {
        let folder = TemporaryFolder("signed")
        let path = folder.appending("data.bin")
        try FileLayer.writeAtomically(Data(repeating: 7, count: 1000), to: path)
        let key = SigningSecretKey.generate()
        _ = try SignedFile.sign(path, key: key, statement: ["kind": .string("test")])
        let statement = try SignedFile.verify(path, publicKey: key.publicKey, limit: 1 << 20)
        #expect(statement["kind"] == .string("test"))
        #expect(statement["size"] == .int(1000))
        #expect(!FileLayer.exists(path + ".chunks"))
    }

    @Test("a large file is signed through its chunk manifest, and a changed chunk is found")
    func chunked() throws {
        let folder = TemporaryFolder("chunked")
        let path = folder.appending("big.bin")
        var data = Data(count: SignedFile.directLimit + 5)
        data[0] = 1
        try FileLayer.writeAtomically(data, to: path)
        let key = SigningSecretKey.generate()
        _ = try SignedFile.sign(path, key: key, statement: ["kind": .string("test")])
        #expect(FileLayer.exists(path + ".chunks"))
        let statement = try SignedFile.verify(path, publicKey: key.publicKey, limit: Int.max)
        #expect(statement["chunked"] == .bool(true))
        data[SignedFile.chunkSize * 3 + 17] ^= 0xff
        try FileLayer.writeAtomically(data, to: path)
        #expect(throws: SignedFileFailure.crypto(.badSignature)) {
            try SignedFile.verify(path, publicKey: key.publicKey, limit: Int.max)
        }
    }

    @Test("a large file whose chunk manifest is missing is incomplete, whether read from disk or already in memory")
    func missingChunks() throws {
        let folder = TemporaryFolder("chunks-missing")
        let path = folder.appending("big.bin")
        let data = Data(count: SignedFile.directLimit + 5)
        try FileLayer.writeAtomically(data, to: path)
        let key = SigningSecretKey.generate()
        _ = try SignedFile.sign(path, key: key, statement: ["kind": .string("test")])
        try FileManager.default.removeItem(atPath: path + ".chunks")
        let expected = SignedFileFailure.incomplete(path: path, reason: "its chunk manifest \(path).chunks is missing")
        #expect(throws: expected) { try SignedFile.verify(path, publicKey: key.publicKey, limit: Int.max) }
        #expect(throws: expected) { try SignedFile.verify(bytes: data, of: path, publicKey: key.publicKey) }
    }

    @Test("a missing or cut-short signature means incomplete, not tampered")
    func incomplete() throws {
        let folder = TemporaryFolder("incomplete")
        let path = folder.appending("data.bin")
        try FileLayer.writeAtomically(Data("x".utf8), to: path)
        let key = SigningSecretKey.generate()
        #expect {
            try SignedFile.verify(path, publicKey: key.publicKey, limit: 100)
        } throws: { error in
            guard case .incomplete = error as? SignedFileFailure else { return false }
            return true
        }
        let signature = try SignedFile.sign(path, key: key, statement: [:])
        let cut = signature.fileText.split(separator: "\n").prefix(2).joined(separator: "\n")
        try FileLayer.writeAtomically(Data(cut.utf8), to: path + ".minisig")
        #expect {
            try SignedFile.verify(path, publicKey: key.publicKey, limit: 100)
        } throws: { error in
            guard case .incomplete = error as? SignedFileFailure else { return false }
            return true
        }
    }
}
