import FieldKitCrypto
import FuzzSupport

/// The key and signature parsers (minisign's formats, and fieldkit's sealing keys in their
/// shape) on any text; what parses, written out again, parses to the same value.
func fuzzMinisign(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = Fuzz.text(start, count)
    if let key = try? MinisignPublicKey(text: text) {
        Fuzz.require((try? MinisignPublicKey(text: key.fileText())) == key, "a public key round-trips")
    }
    if let signature = try? MinisignSignature(text: text) {
        Fuzz.require((try? MinisignSignature(text: signature.fileText)) == signature, "a signature round-trips")
    }
    if let key = try? SealingPublicKey(text: text) {
        Fuzz.require((try? SealingPublicKey(text: key.fileText)) == key, "a sealing key round-trips")
    }
    _ = try? SealingSecretKey(text: text)
    return 0
}
