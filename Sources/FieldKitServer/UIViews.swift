import FieldKitCore

/// The `--json` documents of the commands the interface runs, as much of each as it shows
/// (the CLI's JSON is the contract: keys are added, never renamed).
enum UIViews {
    /// `status`.
    struct Status: Decodable {
        var device: String
        var name: String
        var site: String?
        var undelivered: Int
        var events: Int
        var repairs: Int
        var trainings: Int
        var bundle: String?
        var lastReceipt: Int64?
    }

    /// `guide list`.
    struct GuideEntry: Decodable {
        var id: String
        var title: String
        var language: String
        var family: String
        var instruments: [String]
        var difficulty: Int
        var minutes: Int
    }

    /// `guide search`.
    struct GuideHit: Decodable {
        var id: String
        var title: String
        var language: String
        var snippet: String
    }

    /// `guide show`.
    struct GuideShown: Decodable {
        var id: String
        var language: String
        var guide: Guide
        var text: Text
        var partNames: [PartName]?

        struct Guide: Decodable {
            var family: String
            var instruments: [String]
            var difficulty: Int
            var minutes: Int
            var training: String?
            var parts: [String]
        }

        struct Text: Decodable {
            var title: String
            var summary: String?
            var body: String?
            var symptoms: [String]?
            var stopIf: [String]?
            var tools: [String]?
            var steps: [Step]
            var safety: [String]?
            var care: [String]?
            var depot: [String]?

            enum CodingKeys: String, CodingKey {
                case title, summary, body, symptoms, tools, steps, safety, care, depot
                case stopIf = "stop_if"
            }
        }

        struct Step: Decodable {
            var action: String
            var check: String?
            var caution: String?

            enum CodingKeys: String, CodingKey {
                case action = "do"
                case check, caution
            }
        }

        struct PartName: Decodable {
            var id: String
            var name: String
        }
    }

    /// `instrument show`.
    struct Instrument: Decodable {
        var tag: String
        var type: String
        var size: String?
        var maker: String?
        var model: String?
        var serial: String?
        var status: String
        var site: String
        var condition: String
        var lastService: String?
        var provisional: Bool
        var conflicts: [String: [String]]
    }

    /// `instrument history`.
    struct HistoryEntry: Decodable {
        var id: String
        var type: String
        var date: String
        var site: String?
        var payload: JSONValue
    }

    /// `due`.
    struct Due: Decodable {
        var site: String
        var today: String
        var followUps: [FollowUp]
        var overdue: [Overdue]

        struct FollowUp: Decodable {
            var tag: String
            var repair: String
            var due: String
        }

        struct Overdue: Decodable {
            var tag: String
            var type: String
            var lastService: String?
        }
    }

    /// `site list`.
    struct Site: Decodable {
        var code: String
        var name: String
        var current: Bool
    }

    /// `checklist list`.
    struct ChecklistEntry: Decodable {
        var id: String
        var title: String
        var items: Int
    }

    /// `checklist show`.
    struct Checklist: Decodable {
        var id: String
        var title: [String: String]
        var groups: [Group]

        struct Group: Decodable {
            var title: [String: String]
            var items: [Item]
        }

        struct Item: Decodable {
            var id: String
            var text: [String: String]
        }
    }

    /// `audit` and `audit --preview`.
    struct Audit: Decodable {
        var site: String
        var scanned: [String]
        var missing: [String]
        var unexpected: [String]
        var wrongSite: [WrongSite]

        struct WrongSite: Decodable {
            var tag: String
            var recordedAt: String
        }
    }

    /// What a recording command prints: the new record's id and what it touched.
    struct Recorded: Decodable {
        var id: String
        var tag: String?
        var site: String?
        var status: String?
    }

    /// `sync DIR` (one pass) and `sync URL` (a pass before the uploads and one after).
    struct Sync: Decodable {
        /// Sequence ranges as `[first, last]`.
        var written: [[Int64]]?
        var receipts: [Receipt]?
        var undelivered: Int?
        var uploads: [JSONValue]?
        var before: Pass?
        var after: Pass?

        /// The passes of this sync, in order.
        var passes: [Pass] {
            if let before, let after { return [before, after] }
            return [Pass(written: written ?? [], receipts: receipts ?? [], undelivered: undelivered ?? 0)]
        }

        struct Pass: Decodable {
            var written: [[Int64]]
            var receipts: [Receipt]
            var undelivered: Int
        }

        struct Receipt: Decodable {
            var file: String
            var version: Int64
            var outcome: String
            var reason: String?
        }
    }
}

extension Dictionary where Key == String, Value == String {
    /// The text in `language`, falling back as content does.
    func localized(_ language: String) -> String {
        for candidate in UIText.fallback(language) {
            if let text = self[candidate] { return text }
        }
        return values.sorted().first ?? ""
    }
}
