import FieldKitCore
import FieldKitSync
import FuzzSupport

/// The event decoder on any bytes: one line (`StoredEvent(bytes:)`) and JSON Lines as an
/// archive's `events.jsonl` (`ChangeArchive.parseEvents`); every event keeps its bytes.
func fuzzEvent(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Fuzz.data(start, count)
    if let stored = try? StoredEvent(bytes: data) {
        Fuzz.require(stored.bytes == data, "a stored event keeps its bytes")
        _ = try? stored.event.canonicalBytes()
    }
    if let events = try? ChangeArchive.parseEvents(data, path: "fuzz") {
        Fuzz.require(events.reduce(0) { $0 + $1.bytes.count + 1 } == data.count, "every line is one event")
    }
    return 0
}
