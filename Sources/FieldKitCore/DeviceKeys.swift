import FieldKitCrypto
import Foundation

/// The device's key files in `<data folder>/keys/`.
///
/// `device.key` and `sealing.key` are mode 0600 and never leave the device (not even in
/// backups); the `.pub` files are what others may see.
public struct DeviceKeys: Sendable {
    /// The Ed25519 signing key; its key id makes the device id.
    public let signing: SigningSecretKey
    /// The X25519 sealing key.
    public let sealing: SealingSecretKey

    /// The device id: lower-case hex of the signing key id.
    public var deviceID: String { signing.keyID.hex }

    /// Makes a fresh pair of keys.
    public static func generate() -> DeviceKeys {
        DeviceKeys(signing: .generate(), sealing: .generate())
    }

    /// Pairs keys read elsewhere (published test keys, for example).
    public init(signing: SigningSecretKey, sealing: SealingSecretKey) {
        self.signing = signing
        self.sealing = sealing
    }

    /// The folder holding the key files.
    public static func folder(in dataFolder: String) -> String { dataFolder + "/keys" }

    /// Writes the four key files (secret ones 0600); refuses when any exists.
    public func write(to dataFolder: String) throws(CoreFailure) {
        let folder = Self.folder(in: dataFolder)
        try FileLayer.makeFolder(folder)
        for name in ["device.key", "device.pub", "sealing.key", "sealing.pub"]
        where FileLayer.exists(folder + "/" + name) {
            throw .cannotWrite(path: folder + "/" + name, code: EEXIST, description: "the file exists")
        }
        try FileLayer.writeAtomically(Data(signing.fileText.utf8), to: folder + "/device.key", mode: 0o600)
        try FileLayer.writeAtomically(Data(sealing.fileText.utf8), to: folder + "/sealing.key", mode: 0o600)
        try FileLayer.writeAtomically(Data(signing.publicKey.fileText().utf8), to: folder + "/device.pub")
        try FileLayer.writeAtomically(Data(sealing.publicKey.fileText.utf8), to: folder + "/sealing.pub")
    }

    /// Loads the keys, refusing secret files that others may read.
    public static func load(from dataFolder: String) throws(KeyFileFailure) -> DeviceKeys {
        let folder = folder(in: dataFolder)
        let signing = try loadSigningKey(folder + "/device.key")
        let sealingPath = folder + "/sealing.key"
        let sealingText = try readSecret(sealingPath)
        do {
            return DeviceKeys(signing: signing, sealing: try SealingSecretKey(text: sealingText))
        } catch {
            throw .invalid(path: sealingPath, error)
        }
    }

    /// The device's public signing key, read from `device.pub`.
    public static func publicKey(in dataFolder: String) throws(KeyFileFailure) -> MinisignPublicKey {
        try loadPublicKey(folder(in: dataFolder) + "/device.pub")
    }

    /// Paths of secret key files whose permissions let others read them.
    public static func permissionFindings(in dataFolder: String) -> [String] {
        let folder = folder(in: dataFolder)
        return ["device.key", "sealing.key"].compactMap { name in
            let path = folder + "/" + name
            guard let mode = try? FileLayer.permissions(of: path) else { return "\(path) is missing" }
            return mode & 0o077 == 0 ? nil : "\(path) has mode \(String(mode, radix: 8)); it must be 600"
        }
    }

    /// Reads a secret key file, refusing one with group or other permission bits.
    public static func readSecret(_ path: String) throws(KeyFileFailure) -> String {
        let mode: mode_t
        do { mode = try FileLayer.permissions(of: path) } catch { throw .unreadable(error) }
        guard mode & 0o077 == 0 else { throw .tooOpen(path: path, mode: Int(mode)) }
        do { return try FileLayer.readText(path, limit: 4096) } catch { throw .unreadable(error) }
    }

    /// Loads a minisign public key file.
    public static func loadPublicKey(_ path: String) throws(KeyFileFailure) -> MinisignPublicKey {
        let text: String
        do { text = try FileLayer.readText(path, limit: 4096) } catch { throw .unreadable(error) }
        do { return try MinisignPublicKey(text: text) } catch { throw .invalid(path: path, error) }
    }

    /// Loads a secret signing key file.
    public static func loadSigningKey(_ path: String) throws(KeyFileFailure) -> SigningSecretKey {
        let text = try readSecret(path)
        do { return try SigningSecretKey(text: text) } catch { throw .invalid(path: path, error) }
    }
}

/// Why a key file could not be used.
public enum KeyFileFailure: Error, Equatable, Sendable {
    /// It could not be read.
    case unreadable(CoreFailure)
    /// Its contents are not a key.
    case invalid(path: String, CryptoFailure)
    /// A secret key file others may read.
    case tooOpen(path: String, mode: Int)
}

extension KeyFileFailure: FieldKitError {
    public var message: String {
        switch self {
        case .unreadable(let failure): failure.message
        case .invalid(let path, let failure): "\(path): \(failure.message)"
        case .tooOpen(let path, let mode):
            "the secret key \(path) has mode \(String(mode, radix: 8)): other users may read it"
        }
    }

    public var hint: String? {
        switch self {
        case .unreadable(let failure): failure.hint
        case .invalid(_, let failure): failure.hint
        case .tooOpen(let path, _): "run 'chmod 600 \(path)' and consider the key exposed if others used this machine"
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .unreadable(let failure): failure.exitStatus
        case .invalid(_, let failure): failure.exitStatus
        case .tooOpen: .dataError
        }
    }
}
