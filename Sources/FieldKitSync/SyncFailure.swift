import FieldKitCore

/// Why a change archive, a receipt or an enrolment request was refused, or a sync could not run.
public enum SyncFailure: Error, Equatable, Sendable {
    /// The file's content contradicts its signed statement, or is not in its format.
    case malformed(path: String, reason: String)
    /// The file is larger than its kind may be.
    case overCap(path: String, size: Int64, cap: Int)
    /// A format version this build does not read.
    case unknownFormat(path: String, kind: String, format: Int64)
    /// The archive's device is not on headquarters' roster.
    case notEnrolled(path: String, device: String)
    /// The signature was made by a key other than the one it must be made by.
    case wrongSigner(path: String, expected: String, found: String)
    /// The device has no headquarters root pinned, so no receipt can be trusted.
    case noPinnedRoot
    /// The mailbox folder is missing or does not take files.
    case mailboxUnusable(path: String, reason: String)
    /// An event would not fit in any archive.
    case eventTooLarge(seq: Int64, bytes: Int)
    /// The fingerprint a person confirmed does not match the request.
    case fingerprintMismatch(device: String)
    /// Some files were refused; the summary above says which.
    case someRefused(count: Int)
    /// Files headquarters could not merge because its own disk or store failed (`status` is
    /// that failure's exit status); nothing of them was kept or held against a device.
    case notMerged(count: Int, reason: String, status: Int32)
    /// The device was revoked: its events after the cut-off are refused.
    case revoked(path: String, device: String, after: Int64, reason: String)
    /// An archive carried by a device that is not the successor of the archive's device.
    case notSuccessor(path: String, carrier: String, device: String)
    /// An archive carried by a successor that was itself revoked.
    case carrierRevoked(path: String, carrier: String)
    /// A headquarters backup would be larger than `hub restore` reads.
    case backupTooLarge(files: Int, bytes: Int, maximumFiles: Int, maximumBytes: Int)
    /// Headquarters' own files disagree (an interrupted rotation, a hand-edited folder).
    case hubInconsistent(String)
    /// A published file is not newer than the one already published or installed.
    case notNewer(what: String, offered: String, current: String)
    /// An archive is sealed to a sealing key headquarters never had.
    case unknownSealingKey(path: String, key: String)
    /// An archive is sealed to a sealing key retired longer ago than the grace period.
    case sealingKeyRetired(path: String, key: String, retired: String, grace: Int64)
    /// The device knows no headquarters sealing key to seal its archives to.
    case noSealingKey
    /// No connection to the hub server (after retries).
    case hubUnreachable(url: String, reason: String)
    /// The hub server answered with an error status and message.
    case hubRefused(url: String, status: Int, message: String)
    /// The hub server's answer is not what the protocol says.
    case hubAnswer(url: String, reason: String)
    /// A hub address that is not an http(s) URL.
    case badHubURL(String)
}

extension SyncFailure: FieldKitError {
    public var message: String {
        switch self {
        case .malformed(let path, let reason): "\(path) is not a valid fieldkit file: \(reason)"
        case .overCap(let path, let size, let cap): "\(path) is \(size) bytes, over the \(cap)-byte cap for its kind"
        case .unknownFormat(let path, let kind, let format):
            "\(path) is a \(kind) in format \(format), which this fieldkit does not read"
        case .notEnrolled(let path, let device): "\(path) comes from device \(device), which is not enrolled"
        case .wrongSigner(let path, let expected, let found):
            "\(path) is signed by key \(found), not by \(expected) as it must be"
        case .noPinnedRoot: "this device has no headquarters root pinned, so it cannot check receipts"
        case .mailboxUnusable(let path, let reason): "the sync folder \(path) cannot be used: \(reason)"
        case .eventTooLarge(let seq, let bytes):
            "event \(seq) with its photos is \(bytes) bytes, more than one change archive may carry"
        case .fingerprintMismatch(let device):
            "the fingerprint given for device \(device) does not match its request"
        case .someRefused(let count): "\(count) file(s) were refused; see the lines above"
        case .notMerged(let count, let reason, _):
            "\(count) file(s) could not be merged, through no fault of theirs: \(reason)"
        case .revoked(let path, let device, let after, let reason):
            "\(path) holds events of device \(device) after seq \(after), where it was revoked (\(reason))"
        case .notSuccessor(let path, let carrier, let device):
            "\(path) is carried by device \(carrier), which is not the enrolled successor of device \(device)"
        case .carrierRevoked(let path, let carrier):
            "\(path) is carried by device \(carrier), which was revoked"
        case .backupTooLarge(let files, let bytes, let maximumFiles, let maximumBytes):
            "a backup of \(files) files and \(bytes) bytes is over what 'hub restore' reads (\(maximumFiles) files, \(maximumBytes) bytes)"
        case .hubInconsistent(let reason): "headquarters' folder is inconsistent: \(reason)"
        case .notNewer(let what, let offered, let current):
            "the \(what) is version \(offered), not newer than version \(current)"
        case .unknownSealingKey(let path, let key):
            "\(path) is sealed to sealing key \(key), which headquarters never had"
        case .sealingKeyRetired(let path, let key, let retired, let grace):
            "\(path) is sealed to sealing key \(key), retired on \(retired), more than \(grace) days ago"
        case .noSealingKey:
            "this device does not know headquarters' sealing key, so it cannot seal its archives"
        case .hubUnreachable(let url, let reason): "cannot reach the hub at \(url): \(reason)"
        case .hubRefused(let url, let status, let message): "the hub at \(url) refused (\(status)): \(message)"
        case .hubAnswer(let url, let reason): "the hub at \(url) gave an answer fieldkit cannot use: \(reason)"
        case .badHubURL(let text): "\(text) is not a hub address (http://HOST:PORT or https://HOST)"
        }
    }

    public var hint: String? {
        switch self {
        case .malformed, .wrongSigner: "the file was changed or damaged; it is kept aside, do not use it"
        case .overCap: "this is not an archive fieldkit wrote; keep it aside and report it"
        case .unknownFormat: "update fieldkit to the newest version"
        case .notEnrolled:
            "enrol the device with 'fieldkit hub enrol', then import the quarantined copy with 'fieldkit hub import'"
        case .noPinnedRoot: "make a new data folder with 'fieldkit init --hq-root ROOT.pub', or use a field edition"
        case .mailboxUnusable: "check that the stick is mounted and not write-protected, then run sync again"
        case .eventTooLarge: "amend the record to carry fewer photos, then sync again"
        case .fingerprintMismatch: "compare the fingerprint with the one 'fieldkit enrol' showed on the laptop"
        case .someRefused: nil
        case .notMerged(_, _, ExitStatus.tempFail.rawValue):
            "the files were left where they are: run the same command again in a minute"
        case .notMerged(_, _, ExitStatus.software.rawValue):
            "the files were left where they are: report this to the fieldkit developers, with the message"
        case .notMerged:
            "the files were left where they are: fix the cause (free space, check the disk), then run the same command again"
        case .revoked:
            "the laptop was reported lost, stolen or replaced; keep the quarantined file for investigation"
        case .carrierRevoked:
            "the laptop that carried it was reported lost or replaced; keep the quarantined file for investigation"
        case .notSuccessor: "enrol the restored laptop with 'fieldkit hub enrol' first; it links it to its predecessor"
        case .backupTooLarge:
            "move old photos (blobs/) or quarantined files aside to an archive disk, then back up again; report this to the fieldkit developers"
        case .hubInconsistent: "run 'fieldkit hub rotate' again with the root key, or restore the last hub backup"
        case .notNewer: "use a newer version; versions only go up"
        case .unknownSealingKey: "the file was not made for this headquarters; keep it aside and report it"
        case .sealingKeyRetired:
            "the laptop's events are safe on it: the receipt for this import carries the new trust statement, and its next 'fieldkit sync' seals them again to the current key"
        case .hubUnreachable:
            "nothing was lost: the events stay on this laptop. Try again when there is a connection, or sync by stick: 'fieldkit sync /media/stick'"
        case .hubRefused(_, let status, _) where status >= 500:
            "nothing was lost: try again later, or sync by stick: 'fieldkit sync /media/stick'"
        case .hubRefused: "nothing was lost: the events stay on this laptop; show this message to headquarters"
        case .hubAnswer: "check the address (is it a fieldkit hub?), or sync by stick: 'fieldkit sync /media/stick'"
        case .badHubURL: "give the address headquarters or the coordinator wrote down, e.g. http://192.168.1.10:8470"
        case .noSealingKey:
            "sync with a stick that headquarters prepared ('fieldkit hub enrol' or 'hub import' writes fieldkit-sync/trust/ on it); 'fieldkit sync --unsealed' writes readable archives for debugging only"
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .mailboxUnusable: .cantCreate
        case .eventTooLarge: .software
        case .hubUnreachable: .unavailable
        case .hubRefused(_, let status, _) where status >= 500 || status == 429: .tempFail
        case .badHubURL: .usage
        case .notMerged(_, _, let status): ExitStatus(rawValue: status) ?? .ioError
        default: .dataError
        }
    }
}
