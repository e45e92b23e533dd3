import FieldKitCore

/// Failures of the local store.
public enum StoreFailure: Error, Equatable, Sendable {
    /// `init` found a store already in the folder.
    case alreadyExists(path: String)
    /// There is no store in the folder.
    case notInitialised(folder: String)
    /// SQLite refused; `code` is its result code.
    case database(code: Int32, description: String)
    /// The file is not a usable SQLite database.
    case corrupted(path: String, description: String)
    /// The store holds no device row (it was not made by `init`).
    case missingDevice
    /// An append would break the log's rules (gap, wrong chain).
    case logRule(String)
}

extension StoreFailure: FieldKitError {
    public var message: String {
        switch self {
        case .alreadyExists(let path): "a fieldkit store already exists at \(path)"
        case .notInitialised(let folder): "\(folder) holds no fieldkit store"
        case .database(let code, let description): "the store refused the operation (SQLite \(code)): \(description)"
        case .corrupted(let path, let description): "the store \(path) is damaged: \(description)"
        case .missingDevice: "the store has no device record"
        case .logRule(let rule): "the event log refused the change: \(rule)"
        }
    }

    public var hint: String? {
        switch self {
        case .alreadyExists: "use another --data-dir, or keep working with the existing store"
        case .notInitialised: "run 'fieldkit init --device NAME' first, or pass the right --data-dir"
        case .database: nil
        case .corrupted: "run 'fieldkit doctor'; restore the latest backup with 'fieldkit restore' if it fails"
        case .missingDevice: "this store was not made by 'fieldkit init'; restore a backup"
        case .logRule: "run 'fieldkit doctor' and report the finding"
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .alreadyExists: .cantCreate
        case .notInitialised: .noInput
        case .database(let code, _): code == 5 || code == 6 ? .tempFail : code == 19 ? .software : .ioError
        case .corrupted, .missingDevice: .dataError
        case .logRule: .software
        }
    }
}
