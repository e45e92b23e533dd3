import FieldKitCore
import FieldKitStore
import FieldKitSync
import FieldKitTestSupport
import Foundation
import Testing

/// Export → import loses nothing, whatever the text: every event arrives at headquarters byte
/// for byte, and its records read back the same bytes. Swift compares strings by canonical
/// equivalence, so the checks compare UTF-8 bytes: a composed "é" for a decomposed one is a loss.
@Suite("sync: text in any script, composed or not, crosses a stick byte for byte")
struct UnicodeRoundTripTests {
    /// Pieces of text a field note may hold: Dutch, Papiamentu and Arabic, decomposed accents
    /// (not NFC), emoji with joiners and skin tones, flags, astral-plane letters, the byte-order
    /// mark, the Unicode line and paragraph separators, quotes, backslashes, tabs and line breaks.
    static let pieces = [
        "snaar", "Ĳssel", "ĳ", "é", "e\u{301}", "n\u{303}", "Kòrsou", "ñapa", "ü", "ß", "€", "—", "…",
        "مرحبا", "\u{200F}", "עברית", "漢字", "ｶﾀｶﾅ", "👩🏽‍🔧", "🎻", "🇨🇼", "🇳🇱", "𝄞", "𐐷", "\u{FEFF}",
        "\u{2028}", "\u{2029}", "\"", "\\", "\\u0000", "\t", "\n", "\r\n", " ", "\u{00A0}", "{", "}", "/",
        "\u{FFFD}", "\u{E000}", "\u{10FFFD}", "a\u{0308}\u{0301}",
    ]

    static func text(_ random: inout SeededRandom) -> String {
        (0..<(1 + random.below(24))).map { _ in pieces[random.below(pieces.count)] }.joined()
    }

    @Test("300 repairs with seeded random text go out in archives and merge at headquarters unchanged")
    func randomText() throws {
        let seed: UInt64 = 20_261_128
        var random = SeededRandom(seed: seed)
        let world = try SyncWorld("unicode-round-trip")
        let stick = try world.stick()
        let device = try world.device("laptop-u", site: "CUR-01")
        let tags = SyncWorld.snapshot.keys.sorted()
        var written: [String: [UInt8]] = [:]
        for round in 0..<300 {
            let problem = Self.text(&random)
            let stored = try device.change(
                EventType.repairLogged, tag: tags[random.below(tags.count)],
                payload: ["problem": .string(problem), "note": .string(Self.text(&random))], over: [])
            written[stored.event.id] = Array(problem.utf8)
            if round % 100 == 99 { try device.sync(stick) }
        }
        try device.sync(stick)
        try world.importAt([stick.folder])

        let sent = try device.store.events(of: device.id)
        let held = try world.hubStore.events(of: device.id)
        #expect(held.count == sent.count, "seed \(seed)")
        #expect(held.map(\.bytes) == sent.map(\.bytes), "seed \(seed): an event line changed on the way")
        let records = try world.hubStore.records(kind: "repair")
        #expect(records.count == written.count, "seed \(seed)")
        for record in records {
            let problem = try #require(record.values["problem"]?.stringValue)
            #expect(Array(problem.utf8) == written[record.id], "seed \(seed), record \(record.id)")
        }
    }
}
