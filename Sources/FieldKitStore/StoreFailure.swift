import FieldKitCore

/// Failures of the local store.
public enum StoreFailure: Error, Equatable, Sendable {
    /// `init` found a store already in the folder.
    case alreadyExists(path: String)
    /// There is no store in the folder.
    case notInitialised(folder: String)
    /// A restore into the folder was stopped before it finished.
    case unfinishedRestore(folder: String)
    /// SQLite refused; `code` is its result code.
    case database(code: Int32, description: String)
    /// The disk under the store failed a write or a read, or is full; SQLite rolled back the
    /// transaction it was in. `code` is SQLite's (extended) result code.
    case disk(path: String, reading: Bool, code: Int32, description: String)
    /// The file is not a usable SQLite database.
    case corrupted(path: String, description: String)
    /// The store holds no device row (it was not made by `init`).
    case missingDevice
    /// An append would break the log's rules (gap, wrong chain).
    case logRule(String)
    /// Another event is held at this device's seq: tampering or a cloned laptop.
    case fork(device: String, seq: Int64)
    /// An event's `prev` does not name the hash of the event before it.
    case brokenChain(device: String, seq: Int64)
    /// A receipt not newer than the newest one applied.
    case olderReceipt(offered: Int64, applied: Int64)
    /// The store is a device's, not headquarters'.
    case notHub(path: String)
    /// A request names an enrolled device id with another key.
    case enrolledWithAnotherKey(device: String)
    /// The device is not on headquarters' roster.
    case notEnrolled(device: String)
    /// A revocation cut-off below events headquarters already holds.
    case revocationBelowHeld(device: String, after: Int64, held: Int64)
    /// A trust statement older than one already accepted from the same root.
    case olderTrust(offered: Int64, accepted: Int64)
    /// No open conflict has this id.
    case noSuchConflict(String)
    /// `--keep` names no side, or more than one, of the conflict.
    case noSuchSide(conflict: String, keep: String, sides: [String])
    /// No person with this id is held here.
    case noSuchPerson(String)
    /// No instrument has this tag.
    case noSuchInstrument(String)
    /// A decision about an instrument that its state does not allow.
    case instrumentRule(String)
    /// A snapshot whose watermark for a device is below the one in force.
    case watermarkBackwards(device: String, installed: Int64, offered: Int64)
}

extension StoreFailure: FieldKitError {
    public var message: String {
        switch self {
        case .alreadyExists(let path): "a fieldkit store already exists at \(path)"
        case .notInitialised(let folder): "\(folder) holds no fieldkit store"
        case .unfinishedRestore(let folder): "\(folder) holds a restore that was stopped before it finished"
        case .database(let code, let description): "the store refused the operation (SQLite \(code)): \(description)"
        case .disk(let path, let reading, let code, let description):
            "cannot \(reading ? "read" : "write") the store \(path): \(description) (SQLite \(code))"
        case .corrupted(let path, let description): "the store \(path) is damaged: \(description)"
        case .missingDevice: "the store has no device record"
        case .logRule(let rule): "the event log refused the change: \(rule)"
        case .fork(let device, let seq):
            "device \(device) has two different events at seq \(seq) (a fork: tampering or a cloned laptop)"
        case .brokenChain(let device, let seq):
            "the hash chain of device \(device) is broken at seq \(seq): its prev does not name the event before it"
        case .olderReceipt(let offered, let applied):
            "the receipt is version \(offered), not newer than version \(applied) already applied"
        case .notHub(let path): "\(path) is a device's store, not headquarters'"
        case .enrolledWithAnotherKey(let device): "device \(device) is already enrolled with another signing key"
        case .notEnrolled(let device): "device \(device) is not enrolled at headquarters"
        case .revocationBelowHeld(let device, let after, let held):
            "headquarters already holds device \(device)'s events up to seq \(held), so it cannot be revoked after seq \(after)"
        case .olderTrust(let offered, let accepted):
            "the trust statement is version \(offered), older than version \(accepted) already accepted"
        case .noSuchConflict(let id): "there is no open conflict \(id)"
        case .noSuchSide(let conflict, let keep, let sides):
            "\"\(keep)\" names \(sides.filter { $0.hasPrefix(keep.lowercased()) && !keep.isEmpty }.isEmpty ? "no" : "more than one") side of conflict \(conflict) (sides: \(sides.joined(separator: ", ")))"
        case .noSuchPerson(let id): "there is no person \(id) here"
        case .noSuchInstrument(let tag): "there is no instrument \(tag)"
        case .instrumentRule(let reason): "refused: \(reason)"
        case .watermarkBackwards(let device, let installed, let offered):
            "the snapshot folds device \(device)'s events only through seq \(offered), below seq \(installed) in the snapshot in force"
        }
    }

    public var hint: String? {
        switch self {
        case .alreadyExists: "use another --data-dir, or keep working with the existing store"
        case .notInitialised: "run 'fieldkit init --device NAME' first, or pass the right --data-dir"
        case .unfinishedRestore:
            "run the same 'fieldkit restore' (or 'fieldkit hub restore') again: it clears the folder and starts over"
        case .database(let code, _) where code == 5 || code == 6:
            "another program holds the store (a sqlite3 shell, a copy or backup tool): close it, then run the same command again"
        case .database: nil
        case .disk(_, let reading, let code, _):
            code & 0xFF == 13
                ? "free space on the disk that holds the store, then run the same command again: the step it failed in was rolled back"
                : "the disk failed \(reading ? "a read" : "a write"): run 'fieldkit doctor', then the same command again; the step it failed in was rolled back"
        case .corrupted: "run 'fieldkit doctor'; restore the latest backup with 'fieldkit restore' if it fails"
        case .missingDevice: "this store was not made by 'fieldkit init'; restore a backup"
        case .logRule: "run 'fieldkit doctor' and report the finding"
        case .fork, .brokenChain:
            "keep the file for investigation and ask the device's technician what happened to the laptop"
        case .olderReceipt: "delete this receipt from the stick: headquarters has sent a newer one"
        case .notHub: "run 'fieldkit hub init' for headquarters, or pass the hub's --data-dir"
        case .enrolledWithAnotherKey: "refuse this request: a laptop's keys never change, and a new laptop has a new id"
        case .notEnrolled: "check the device id with 'fieldkit hub status'; enrol the device first"
        case .revocationBelowHeld:
            "events already merged stay (the log is append-only): revoke after the highest held seq and review those events"
        case .olderTrust: "use the newest file from headquarters"
        case .noSuchConflict: "list the open conflicts with 'fieldkit hub conflicts'; it may be resolved already"
        case .noSuchSide: "give the event id (or enough of its start) of the side to keep"
        case .noSuchPerson: "find the person's id with 'fieldkit hub person find NAME'"
        case .noSuchInstrument: "check the tag with 'fieldkit instrument find'"
        case .instrumentRule: "check the instrument with 'fieldkit instrument show TAG'"
        case .watermarkBackwards:
            "use a snapshot made after the one in force ('fieldkit hub snapshot' on headquarters' current store)"
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .alreadyExists: .cantCreate
        case .notInitialised, .unfinishedRestore: .noInput
        case .database(let code, _): code == 5 || code == 6 ? .tempFail : code == 19 ? .software : .ioError
        case .disk: .ioError
        case .corrupted, .missingDevice: .dataError
        case .logRule: .software
        case .fork, .brokenChain, .olderReceipt, .enrolledWithAnotherKey, .olderTrust: .dataError
        case .notEnrolled, .revocationBelowHeld, .noSuchConflict, .noSuchSide, .noSuchPerson, .noSuchInstrument,
            .instrumentRule:
            .usage
        case .watermarkBackwards: .dataError
        case .notHub: .usage
        }
    }
}
