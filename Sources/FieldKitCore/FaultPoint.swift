import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A named place inside a command where a test build can be told to stop dead, as a power cut
/// or a pulled stick would stop it: `FIELDKIT_FAULT=NAME:N` ends the process with exit status
/// 86 at the N-th time NAME is reached, without unwinding, closing or flushing anything.
///
/// Honoured only in builds compiled with `FIELDKIT_FAULT_POINTS` (debug builds: the tests);
/// in any other build `reach()` does nothing and the variable is ignored.
/// `fieldkit fault-points` lists them; `FaultSweepTests` stops a real command at every one.
public enum FaultPoint: String, CaseIterable, Sendable {
    /// A file's bytes are written and fsynced under its temp name, not yet renamed.
    case fileSynced = "file.synced"
    /// A file is renamed into place; its folder is not yet fsynced.
    case fileRenamed = "file.renamed"
    /// A file was removed.
    case fileRemoved = "file.removed"
    /// A write transaction of the store has committed.
    case storeCommitted = "store.committed"
    /// `sync`: the receipts on the stick are applied, no archive written yet.
    case syncReceiptsApplied = "sync.receipts-applied"
    /// `sync`: the archives are written; the mailbox's report is not yet made.
    case syncArchivesWritten = "sync.archives-written"
    /// `hub import`: one archive is merged into headquarters' store.
    case importArchiveMerged = "import.archive-merged"
    /// `hub import`: the receipts are written.
    case importReceiptsWritten = "import.receipts-written"

    /// The exit status of a process stopped at a fault point.
    public static let exitStatus: Int32 = 86

    /// Whether this build honours `FIELDKIT_FAULT`.
    public static var isCompiledIn: Bool {
        #if FIELDKIT_FAULT_POINTS
            true
        #else
            false
        #endif
    }

    /// What the point is, for `fieldkit fault-points`.
    public var summary: String {
        switch self {
        case .fileSynced: "a file's bytes are written and fsynced under a temp name, not yet renamed"
        case .fileRenamed: "a file is renamed into place, its folder not yet fsynced"
        case .fileRemoved: "a file was removed"
        case .storeCommitted: "a write transaction of the store has committed"
        case .syncReceiptsApplied: "sync: the receipts on the stick are applied, no archive written yet"
        case .syncArchivesWritten: "sync: the archives are written"
        case .importArchiveMerged: "hub import: an archive is merged into headquarters' store"
        case .importReceiptsWritten: "hub import: the receipts are written"
        }
    }

    /// Stops the process here when `FIELDKIT_FAULT` names this point and its count is reached.
    public func reach() {
        #if FIELDKIT_FAULT_POINTS
            if FaultPoint.plan?.strikes(self) == true { _exit(FaultPoint.exitStatus) }
        #endif
    }

    #if FIELDKIT_FAULT_POINTS
        static let plan = FaultPlan<FaultPoint>(variable: "FIELDKIT_FAULT")
    #endif
}

/// A call to the disk that a test build can be told to fail, as a full disk or a dying stick
/// fails it: `FIELDKIT_IO_FAULT=KIND:N` makes the N-th such call fail — of the file layer (a
/// write with ENOSPC, an fsync or a rename with EIO), or of SQLite under the store (a write
/// with SQLITE_FULL, a sync with SQLITE_IOERR_FSYNC, through the VFS in `CStoreFault`).
/// Honoured only where `FaultPoint` is.
public enum IOFault: String, CaseIterable, Sendable {
    /// A write of a file's bytes (the file layer's, and libarchive's through its callbacks).
    case write
    /// The fsync of a file before its rename.
    case fsync
    /// The rename of a temp file into place.
    case rename
    /// A write SQLite makes to the store's files (the database, its log, a journal).
    case storeWrite = "store-write"
    /// A sync SQLite makes of the store's files.
    case storeSync = "store-sync"

    /// Whether SQLite makes this call (under the store), rather than the file layer.
    public var isStoreCall: Bool { self == .storeWrite || self == .storeSync }

    /// Whether this build was told to fail a call SQLite makes: the store then installs the
    /// failing VFS before it opens its file.
    public static var storeCallPlanned: Bool {
        #if FIELDKIT_FAULT_POINTS
            plan?.kind.isStoreCall == true
        #else
            false
        #endif
    }

    /// Whether this call is to fail; when it is, `errno` says why, as the real call would.
    public func strikes() -> Bool {
        #if FIELDKIT_FAULT_POINTS
            guard IOFault.plan?.strikes(self) == true else { return false }
            errno = self == .write || self == .storeWrite ? ENOSPC : EIO
            return true
        #else
            return false
        #endif
    }

    #if FIELDKIT_FAULT_POINTS
        static let plan = FaultPlan<IOFault>(variable: "FIELDKIT_IO_FAULT")
    #endif
}

#if FIELDKIT_FAULT_POINTS
    /// `KIND:N` from `variable`, read once from the process's environment (a test hook below
    /// every injected environment: the file layer and the store have none), and how many times
    /// KIND has been reached since.
    final class FaultPlan<Kind: RawRepresentable & Equatable & Sendable>: Sendable where Kind.RawValue == String {
        let kind: Kind
        let count: Int
        private let reached = Mutex(0)

        init?(variable: String) {
            guard let text = ProcessInfo.processInfo.environment[variable] else { return nil }
            let parts = text.split(separator: ":")
            guard parts.count == 2, let kind = Kind(rawValue: String(parts[0])), let count = Int(parts[1]), count > 0
            else { return nil }
            self.kind = kind
            self.count = count
        }

        /// Whether reaching `kind` now is the planned N-th time.
        func strikes(_ kind: Kind) -> Bool {
            guard kind == self.kind else { return false }
            return reached.withLock { reached in
                reached += 1
                return reached == count
            }
        }
    }
#endif
