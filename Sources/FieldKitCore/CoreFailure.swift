import FieldKitCrypto

/// Failures of Core's own rules and its file layer.
public enum CoreFailure: Error, Equatable, Sendable {
    /// A file could not be read; `code` is the errno.
    case cannotRead(path: String, code: Int32, description: String)
    /// A file could not be written; `code` is the errno.
    case cannotWrite(path: String, code: Int32, description: String)
    /// A file does not exist.
    case missingFile(path: String)
    /// A file is larger than the format allows.
    case tooLarge(path: String, limit: Int)
    /// Another process holds the data folder.
    case folderBusy(path: String)
    /// A value (a date, a tag, an id) is not in its form.
    case invalidValue(what: String, reason: String)
    /// An event's stored bytes do not decode.
    case malformedEvent(reason: String)
}

extension CoreFailure: FieldKitError {
    public var message: String {
        switch self {
        case .cannotRead(let path, _, let description): "cannot read \(path): \(description)"
        case .cannotWrite(let path, _, let description): "cannot write \(path): \(description)"
        case .missingFile(let path): "\(path) does not exist"
        case .tooLarge(let path, let limit): "\(path) is larger than the \(limit)-byte limit for its kind"
        case .folderBusy(let path): "another fieldkit process is using the data folder \(path)"
        case .invalidValue(let what, let reason): "invalid \(what): \(reason)"
        case .malformedEvent(let reason): "an event could not be read: \(reason)"
        }
    }

    public var hint: String? {
        switch self {
        case .cannotRead: "check that the file exists and that you may read it"
        case .cannotWrite: "check that the folder exists, is writable and has free space"
        case .missingFile: "check the path"
        case .tooLarge: "this is not a file fieldkit wrote; do not use it"
        case .folderBusy: "wait for the other command to finish, then try again"
        case .invalidValue: nil
        case .malformedEvent: "run 'fieldkit doctor' to check the store"
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .cannotRead, .cannotWrite: .ioError
        case .missingFile: .noInput
        case .tooLarge, .malformedEvent: .dataError
        case .folderBusy: .tempFail
        case .invalidValue: .usage
        }
    }
}

extension CryptoFailure: FieldKitError {
    public var message: String {
        switch self {
        case .malformed(let what, let reason): "the \(what) is malformed: \(reason)"
        case .keyMismatch(let expected, let found):
            "the signature was made by key \(found), not by the expected key \(expected)"
        case .badSignature: "the signature does not match the file: the file or its signature was changed"
        case .badTrustedComment: "the signature's trusted comment was changed"
        case .unsupportedAlgorithm(let tag): "unsupported signature algorithm \"\(tag)\" (fieldkit reads \"Ed\")"
        case .notSealedTo(let expected, let found):
            "the file is sealed to sealing key \(found), not to this key (\(expected))"
        case .sealedDamaged(let reason): "the sealed content does not open: \(reason)"
        case .library(let description): "cryptography failed: \(description)"
        }
    }

    public var hint: String? {
        switch self {
        case .unsupportedAlgorithm("ED"):
            "it is minisign's prehashed form, its default since 0.10: sign with 'fieldkit sign', or 'minisign -S -l'"
        case .malformed, .unsupportedAlgorithm: "use a key or signature file written by fieldkit or minisign"
        case .keyMismatch: "check that you gave the public key of the signer"
        case .badSignature, .badTrustedComment, .sealedDamaged:
            "do not use this file; get a fresh copy from its source"
        case .notSealedTo: "it was meant for another device or key: give it to its recipient"
        case .library: nil
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .library: .software
        default: .dataError
        }
    }
}
