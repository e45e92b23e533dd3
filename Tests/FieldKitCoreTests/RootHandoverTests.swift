import FieldKitCore
import FieldKitCrypto
import FieldKitTestSupport
import Foundation
import Testing

@Suite("root handovers")
struct RootHandoverTests {
    /// A chain of `steps` handovers from a first root, and a trust statement signed by the last
    /// root, with the handovers beside it newest first.
    static func chain(_ steps: Int) throws -> (pinned: MinisignPublicKey, files: TrustFiles, last: MinisignPublicKey) {
        let roots = (0...steps).map { _ in SigningSecretKey.generate() }
        var handovers: [TrustFiles.Handover] = []
        for index in 0..<steps {
            let signed = try RootHandover(
                from: roots[index].keyID, to: roots[index + 1].publicKey, issued: "2026-11-20"
            ).signed(by: roots[index])
            handovers.append(TrustFiles.Handover(json: signed.json, signature: signed.signature))
        }
        let statement = TrustStatement(
            version: 1, issued: "2026-11-20", expires: "2030-01-01", root: roots[steps].keyID,
            signing: [SigningSecretKey.generate().publicKey], sealing: nil, development: false)
        let (json, signature) = try statement.signed(by: roots[steps])
        return (
            roots[0].publicKey, TrustFiles(json: json, signature: signature, handovers: handovers.reversed()),
            roots[steps].publicKey
        )
    }

    @Test("sixteen handovers are followed in any order; a root seventeen handovers away is refused as such")
    func chainLimit() throws {
        let sixteen = try Self.chain(RootHandover.maximumChain)
        let checked = try sixteen.files.verify(pinned: sixteen.pinned)
        #expect(checked.rootChanged)
        #expect(checked.root == sixteen.last)

        let seventeen = try Self.chain(RootHandover.maximumChain + 1)
        #expect(throws: TrustFailure.tooManyHandovers(RootHandover.maximumChain)) {
            try seventeen.files.verify(pinned: seventeen.pinned)
        }
        #expect(
            TrustFailure.tooManyHandovers(16).message
                == "the trust statement's root is more than 16 root handovers from the pinned root")
    }
}
