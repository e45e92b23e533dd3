import FieldKitCrypto
import FuzzSupport

/// The unsealer (X25519 + ChaCha20-Poly1305 in chunks) on any bytes, with the fuzzing key.
func fuzzUnseal(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Fuzz.data(start, count)
    _ = try? Sealing.recipient(of: data)
    if let plain = try? Sealing.open(data, with: Fuzz.sealingKey, associatedData: Fuzz.associatedData) {
        Fuzz.require(plain.count < data.count, "what opens is shorter than what was sealed")
    }
    return 0
}
