import FieldKitSync
import FuzzSupport

/// The receipt reader on any unsealed bytes, as if its signature and statement had verified
/// (the case of a headquarters whose key was stolen): archive, `receipt.json`, events, people.
func fuzzReceipt(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    if let content = try? Receipt.Content(
        reading: Fuzz.data(start, count), path: "fuzz", device: Fuzz.receiptDevice, version: Fuzz.receiptVersion,
        format: Fuzz.receiptFormat)
    {
        Fuzz.require(content.events.count == content.body.events, "the body counts the events it carries")
        Fuzz.require(content.body.device == Fuzz.receiptDevice, "the receipt is the device's")
    }
    return 0
}
