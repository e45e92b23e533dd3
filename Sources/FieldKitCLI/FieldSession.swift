import FieldKitBundles
import FieldKitCore
import FieldKitCrypto
import FieldKitStore
import Foundation

/// What every recording command needs: the store under its lock, the content in force, and
/// the checks that keep bad input out of the log.
struct FieldSession {
    let store: Store
    let lock: FolderLock
    let folder: String
    let library: ContentLibrary
    let context: CommandContext

    init(_ global: GlobalOptions, context: CommandContext) throws {
        let (store, lock, folder) = try global.openStore(context)
        self.store = store
        self.lock = lock
        self.folder = folder
        self.context = context
        self.library = try ContentAccess.library(store, context: context)
    }

    /// The SHA-256 of the bundle in force, pinned in every record.
    func bundleHash() throws -> String? { try store.installedBundle()?.sha256 }

    /// A known instrument's tag from what was typed or scanned; an unknown one is refused with the nearest tags.
    func tag(_ typed: String) throws -> String {
        let tag = Tag.normalised(typed)
        guard try store.instrumentExists(tag: tag) else {
            _ = try library.instrument(typed)  // throws not-found with suggestions
            return tag
        }
        return tag
    }

    /// `--site`, else the device's current site; either must be in the sites list.
    func site(_ explicit: String?) throws -> String {
        guard let code = try explicit.map({ try SiteCode.parse($0) }) ?? store.device().currentSite else {
            throw CLIFailure.usage(
                "no site given and no current site set", hint: "pass --site CODE or run 'fieldkit site use CODE'")
        }
        guard try store.siteExists(code) else {
            let codes = try store.sites().map(\.code)
            throw BundleFailure.notFound(what: "site", id: code, suggestions: Suggest.nearest(code, in: codes))
        }
        return code
    }

    /// Checks a person-given date; one more than a day past every clock we know is accepted with a warning.
    func date(_ text: String?) throws -> String? {
        guard let text else { return nil }
        let date = try EventTime.parseDate(text)
        let now = context.environment.now()
        let latestMillis = max(EventTime.millis(now), try store.newestClockMillis())
        var latest = EventTime.localDate(Date(timeIntervalSince1970: Double(latestMillis) / 1000), offsetMinutes: 0)
        if let created = try store.installedBundle()?.created, created > latest { latest = created }
        if try EventTime.days(of: date) > (try EventTime.days(of: latest)) + 1 {
            context.console.err(
                "warning: \(date) is more than a day after \(latest), the latest date this laptop knows; "
                    + "recorded as given — check the laptop's clock")
        }
        return date
    }

    /// A required value: given, or asked for on a terminal, or a usage error naming the flag.
    func required(_ value: String?, flag: String, prompt: String, choices: [String] = []) throws -> String {
        if let value, !value.trimmingCharacters(in: .whitespaces).isEmpty { return value }
        guard context.console.isInteractive else {
            throw CLIFailure.usage("missing \(flag)", hint: "pass \(flag); fieldkit asks only on a terminal")
        }
        if !choices.isEmpty { context.console.err("choices: \(choices.prefix(30).joined(separator: ", "))") }
        context.console.err("\(prompt): ", terminator: false)
        guard let answer = readLine(), !answer.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw CLIFailure.usage("missing \(flag)", hint: "type a value, or pass \(flag)")
        }
        return answer.trimmingCharacters(in: .whitespaces)
    }

    /// A person id for a name, reusing the id of the same name already on this device.
    func person(named name: String) throws -> Person {
        let clean = try Text.normalised(name.trimmingCharacters(in: .whitespaces), field: "name")
        guard !clean.isEmpty, clean.count <= 100 else {
            throw CLIFailure.usage("a name must be 1 to 100 characters", hint: nil)
        }
        if let id = try store.personID(named: clean) { return Person(id: id, name: clean) }
        return Person(id: "p-" + context.environment.makeID().prefix(16), name: clean)
    }

    /// Stores photos content-addressed beside the store; returns their SHA-256s.
    func photos(_ paths: [String]) throws -> [String] {
        var hashes: [String] = []
        for path in paths {
            let data = try FileLayer.read(path, limit: FieldSession.photoLimit)
            let jpeg = data.starts(with: [0xFF, 0xD8, 0xFF])
            let png = data.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            guard jpeg || png else {
                throw CLIFailure.refused(
                    "\(path) is not a JPEG or PNG photo", hint: "attach photos taken with a camera or phone",
                    status: .dataError)
            }
            let hash = Hashing.sha256Hex(data)
            let blobs = folder + "/blobs"
            try FileLayer.makeFolder(blobs)
            if !FileLayer.exists(blobs + "/" + hash) {
                try FileLayer.writeAtomically(data, to: blobs + "/" + hash, mode: 0o600)
            }
            hashes.append(hash)
        }
        return hashes
    }

    /// The largest photo accepted.
    static let photoLimit = 8 << 20
}

extension Console {
    /// Writes to stderr without a newline when `terminator` is false (prompts).
    func err(_ text: String, terminator: Bool) {
        if terminator { err(text) } else { FileHandle.standardError.write(Data(text.utf8)) }
    }
}
