import FieldKitCore
import FieldKitCrypto
import FieldKitTestSupport
import Foundation
import Testing

@Suite("event golden vectors")
struct EventVectorTests {
    static let vectorPath = Repository.path("Sync/vectors/events-v1.jsonl")
    static let hashPath = Repository.path("Sync/vectors/events-v1.sha256")

    /// Three chained events of one device: the shapes of the envelope, with non-ASCII text.
    static func vectorEvents() throws -> [StoredEvent] {
        let device = "0123456789abcdef"
        var events: [StoredEvent] = []
        var prev: String?
        let drafts: [(String, JSONValue, [String])] = [
            (
                EventType.deviceInitialised,
                .object(["name": .string("atelier-bus-1"), "signingKey": .string("0123456789ABCDEF")]), []
            ),
            (
                "repair.logged",
                .object([
                    "tag": .string("LO-VN-004123"), "problem": .string("Kam scheef, E-snaar gebroken — één snaar"),
                    "minutes": .int(25), "outcome": .string("fixed"),
                ]), []
            ),
            (
                "loan.moved", .object(["tag": .string("LO-VN-004123"), "to": .string("CUR-02")]),
                ["00000000000000000000000000000001"]
            ),
        ]
        for (index, draft) in drafts.enumerated() {
            let event = Event(
                id: String(format: "%032x", index + 100), device: device, seq: Int64(index + 1),
                hlc: HLCTimestamp(millis: 1_773_480_600_000 + Int64(index) * 1000, counter: 0),
                wall: "2026-03-14T09:3\(index):00.000Z", offsetMinutes: 60, date: "2026-03-14",
                site: "AMS-ZO-01", author: "p-00000000000000aa", bundle: nil, type: draft.0, payload: draft.1,
                basis: draft.2, prev: prev)
            let stored = try StoredEvent(encoding: event)
            events.append(stored)
            prev = stored.hash
        }
        return events
    }

    @Test("the committed vectors hold the exact bytes and hashes this build writes")
    func bytesAndHashes() throws {
        let events = try Self.vectorEvents()
        let lines = events.map { String(decoding: $0.bytes, as: UTF8.self) }.joined(separator: "\n") + "\n"
        let hashes = events.map { "\($0.hash)  seq \($0.event.seq)" }.joined(separator: "\n") + "\n"
        if Repository.recording {
            try Data(lines.utf8).write(to: URL(fileURLWithPath: Self.vectorPath))
            try Data(hashes.utf8).write(to: URL(fileURLWithPath: Self.hashPath))
        }
        #expect(try String(contentsOfFile: Self.vectorPath, encoding: .utf8) == lines)
        #expect(try String(contentsOfFile: Self.hashPath, encoding: .utf8) == hashes)
    }

    @Test("reading a committed line keeps its bytes and hash, and the chain links")
    func readBack() throws {
        let text = try String(contentsOfFile: Self.vectorPath, encoding: .utf8)
        let stored = try text.split(separator: "\n").map { try StoredEvent(bytes: Data($0.utf8)) }
        #expect(stored.count == 3)
        for (index, event) in stored.enumerated() {
            #expect(Hashing.sha256Hex(event.bytes) == event.hash)
            #expect(event.event.prev == (index == 0 ? nil : stored[index - 1].hash))
        }
        #expect(stored[1].event.payload["problem"]?.stringValue == "Kam scheef, E-snaar gebroken — één snaar")
    }

    @Test("an event line with a fraction, a missing key or too many bytes is refused")
    func malformed() throws {
        let line = try Self.vectorEvents()[0].bytes
        let text = String(decoding: line, as: UTF8.self)
        for bad in [
            text.replacingOccurrences(of: "\"seq\":1", with: "\"seq\":1.5"),
            text.replacingOccurrences(of: "\"type\":", with: "\"kind\":"),
            "{" + String(repeating: " ", count: StoredEvent.maximumSize) + "}",
            "not json",
        ] {
            #expect(throws: CoreFailure.self) { try StoredEvent(bytes: Data(bad.utf8)) }
        }
    }

    @Test("each payload value reads as its own kind; a fraction anywhere in a payload is refused")
    func payloadKinds() throws {
        let json = #"{"a":"1","b":1,"c":true,"d":null,"e":[1,"x",false],"f":{"g":[]},"h":2.0,"i":"true"}"#
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        #expect(
            value
                == .object([
                    "a": .string("1"), "b": .int(1), "c": .bool(true), "d": .null,
                    "e": .array([.int(1), .string("x"), .bool(false)]), "f": .object(["g": .array([])]), "h": .int(2),
                    "i": .string("true"),
                ]))
        for bad in [#"{"a":1.5}"#, #"[0.25]"#, #"{"a":{"b":[1e-3]}}"#] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(JSONValue.self, from: Data(bad.utf8)) }
        }
    }
}
