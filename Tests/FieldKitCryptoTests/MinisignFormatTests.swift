import FieldKitCrypto
import FieldKitTestSupport
import Foundation
import Testing

@Suite("minisign file formats")
struct MinisignFormatTests {
    /// RFC 8032, section 7.1, test 1.
    @Test("an Ed25519 key made from the RFC 8032 seed signs the empty message as the RFC says")
    func rfc8032Vector() throws {
        let seed = try #require(Data(hex: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
        let key = try SigningSecretKey(keyID: KeyID(value: 1), seed: seed)
        #expect(key.publicKey.rawKey.hexString == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        let signature = try key.sign(Data(), trustedComment: "t")
        #expect(
            signature.signature.hexString
                == "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        )
    }

    @Test("a signature and a public key survive writing and reading back")
    func roundTrip() throws {
        let key = SigningSecretKey.generate()
        let message = Data("Ventielen oliën".utf8)
        let signature = try key.sign(message, trustedComment: "kind:test")
        let parsed = try MinisignSignature(text: signature.fileText)
        let publicKey = try MinisignPublicKey(text: key.publicKey.fileText())
        #expect(parsed == signature)
        #expect(publicKey == key.publicKey)
        try publicKey.verify(parsed, of: message)
        let reread = try SigningSecretKey(text: key.fileText)
        #expect(reread.publicKey == key.publicKey)
    }

    @Test("the key id is shown as minisign shows it and the device id is its lower-case form")
    func keyIDRendering() {
        let id = KeyID(value: 0x0123_4567_89AB_CDEF)
        #expect(id.minisignHex == "0123456789ABCDEF")
        #expect(id.hex == "0123456789abcdef")
        #expect(id.bytes.hexString == "efcdab8967452301")
    }

    @Test(
        "strict base64 refuses non-canonical, unpadded and dirty input",
        arguments: ["", "QQ", "QR==", "QQ==\n", " QQ==", "Q Q==", "QQ=="])
    func strictBase64(_ text: String) {
        let decoded = Base64Strict.decode(text)
        #expect((decoded != nil) == (text == "QQ=="))
    }

    @Test("a verifier refuses every changed byte of the public key, signature, trusted comment and file")
    func everyByteMatters() throws {
        let key = SigningSecretKey.generate()
        let message = Data("Snaren van de viool vervangen.".utf8)
        let signature = try key.sign(message, trustedComment: "kind:test file:x")
        let publicKey = key.publicKey

        // Each position of the file.
        for index in message.indices {
            var changed = message
            changed[index] ^= 0x01
            #expect(throws: CryptoFailure.self) { try publicKey.verify(signature, of: changed) }
        }
        // Each decoded byte of the public key file's payload.
        let keyPayload = try #require(Base64Strict.decode(lines(publicKey.fileText())[1]))
        for index in keyPayload.indices {
            var changed = keyPayload
            changed[index] ^= 0x01
            let text = "untrusted comment: x\n\(changed.base64EncodedString())\n"
            #expect(throws: CryptoFailure.self) {
                try MinisignPublicKey(text: text).verify(signature, of: message)
            }
        }
        // Each decoded byte of the signature line and of the global signature line.
        let sigLines = lines(signature.fileText)
        for line in [1, 3] {
            let payload = try #require(Base64Strict.decode(sigLines[line]))
            for index in payload.indices {
                var changed = payload
                changed[index] ^= 0x01
                var mutated = sigLines
                mutated[line] = changed.base64EncodedString()
                let text = mutated.joined(separator: "\n") + "\n"
                #expect(throws: CryptoFailure.self) {
                    try publicKey.verify(MinisignSignature(text: text), of: message)
                }
            }
        }
        // Each byte of the trusted comment.
        let comment = Array(signature.trustedComment.utf8)
        for index in comment.indices {
            var changed = comment
            changed[index] ^= 0x01
            var mutated = sigLines
            mutated[2] = "trusted comment: " + String(decoding: changed, as: UTF8.self)
            let text = mutated.joined(separator: "\n") + "\n"
            #expect(throws: CryptoFailure.self) {
                try publicKey.verify(MinisignSignature(text: text), of: message)
            }
        }
    }

    @Test("a signature by another key names the mismatch")
    func keyMismatch() throws {
        let signer = SigningSecretKey.generate()
        let other = SigningSecretKey.generate()
        let signature = try signer.sign(Data("x".utf8), trustedComment: "t")
        #expect(throws: CryptoFailure.keyMismatch(expected: other.keyID.minisignHex, found: signer.keyID.minisignHex)) {
            try other.publicKey.verify(signature, of: Data("x".utf8))
        }
    }

    @Test("the stock minisign verifies what we sign")
    func stockMinisignVerifies() throws {
        let folder = TemporaryFolder("minisign")
        let key = SigningSecretKey.generate()
        let message = Data("Een trompet met een vastzittend mondstuk.\n".utf8)
        let signature = try key.sign(message, trustedComment: #"{"kind":"test","format":1}"#)
        try message.write(to: URL(fileURLWithPath: folder.appending("file.txt")))
        try Data(signature.fileText.utf8).write(to: URL(fileURLWithPath: folder.appending("file.txt.minisig")))
        try Data(key.publicKey.fileText().utf8).write(to: URL(fileURLWithPath: folder.appending("key.pub")))
        let outcome = try Tools.run(
            "minisign", ["-V", "-p", folder.appending("key.pub"), "-m", folder.appending("file.txt")])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains(#"Trusted comment: {"kind":"test","format":1}"#))

        try Data("tampered\n".utf8).write(to: URL(fileURLWithPath: folder.appending("file.txt")))
        let refused = try Tools.run(
            "minisign", ["-V", "-p", folder.appending("key.pub"), "-m", folder.appending("file.txt")])
        #expect(refused.status != 0)
    }

    @Test("sealing keys survive writing and reading back")
    func sealingKeys() throws {
        let key = SealingSecretKey.generate()
        let reread = try SealingSecretKey(text: key.fileText)
        #expect(reread.publicKey == key.publicKey)
        #expect(try SealingPublicKey(text: key.publicKey.fileText) == key.publicKey)
        #expect(throws: CryptoFailure.self) { try SealingPublicKey(text: "untrusted comment: x\nQQ==\n") }
    }

    private func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init)
    }
}

extension Data {
    init?(hex: String) {
        var bytes = [UInt8]()
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(bytes)
    }
}
