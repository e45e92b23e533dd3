import FieldKitCore
import FieldKitTestSupport
import Foundation
import Testing

@Suite("fieldkit key generate, sign and verify")
struct SignVerifyTests {
    let fieldkit = CLIHarness()

    @Test("a file signed with a generated key verifies with fieldkit and with the stock minisign")
    func signAndVerify() throws {
        let folder = TemporaryFolder("sign")
        let file = folder.appending("guide.md")
        try Data("# Ventielen oliën\n".utf8).write(to: URL(fileURLWithPath: file))
        #expect(fieldkit("key", "generate", "--out", folder.appending("k")).status == 0)
        #expect(try FileLayer.permissions(of: folder.appending("k.key")) == 0o600)
        #expect(fieldkit("sign", file, "--key", folder.appending("k.key"), "--comment", "bundle test").status == 0)
        let ours = fieldkit("verify", file, "--pub", folder.appending("k.pub"))
        #expect(ours.status == 0)
        #expect(ours.stdout.contains("Trusted comment: bundle test"))
        let stock = try Tools.run("minisign", ["-V", "-p", folder.appending("k.pub"), "-m", file])
        #expect(stock.status == 0, "\(stock.stderr)")

        try Data("# Ventielen olien\n".utf8).write(to: URL(fileURLWithPath: file))
        let tampered = fieldkit("verify", file, "--pub", folder.appending("k.pub"))
        #expect(tampered.status == 65)
        #expect(
            tampered.stderr == """
                error: the signature does not match the file: the file or its signature was changed
                hint: do not use this file; get a fresh copy from its source
                """)
    }

    @Test(
        "a signature in stock minisign's default, prehashed form is refused with how to sign; its legacy form verifies")
    func stockPrehashed() throws {
        let folder = TemporaryFolder("prehashed")
        let file = folder.appending("guide.md")
        try Data("# Stemmechaniek van een contrabas\n".utf8).write(to: URL(fileURLWithPath: file))
        let made = try Tools.run(
            "minisign", ["-G", "-W", "-p", folder.appending("k.pub"), "-s", folder.appending("k.key")])
        #expect(made.status == 0, "\(made.stderr)")
        let signed = try Tools.run("minisign", ["-S", "-s", folder.appending("k.key"), "-m", file, "-t", "guide"])
        #expect(signed.status == 0, "\(signed.stderr)")
        let refused = fieldkit("verify", file, "--pub", folder.appending("k.pub"))
        #expect(refused.status == 65)
        #expect(
            refused.stderr == """
                error: unsupported signature algorithm "ED" (fieldkit reads "Ed")
                hint: it is minisign's prehashed form, its default since 0.10: sign with 'fieldkit sign', or 'minisign -S -l'
                """)
        let legacy = try Tools.run(
            "minisign", ["-S", "-l", "-s", folder.appending("k.key"), "-m", file, "-t", "guide"])
        #expect(legacy.status == 0, "\(legacy.stderr)")
        let verified = fieldkit("verify", file, "--pub", folder.appending("k.pub"))
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stdout.contains("Trusted comment: guide"))
    }

    @Test("key generate never overwrites a key")
    func noOverwrite() throws {
        let folder = TemporaryFolder("keygen")
        #expect(fieldkit("key", "generate", "--out", folder.appending("k")).status == 0)
        let before = snapshot(of: folder.path)
        #expect(fieldkit("key", "generate", "--out", folder.appending("k")).status == 73)
        #expect(snapshot(of: folder.path) == before)
    }

    @Test("a secret key that others may read is refused with the chmod to fix it")
    func openSecretKey() throws {
        let folder = TemporaryFolder("perm")
        #expect(fieldkit("key", "generate", "--out", folder.appending("k")).status == 0)
        chmod(folder.appending("k.key"), 0o644)
        try Data("x".utf8).write(to: URL(fileURLWithPath: folder.appending("f")))
        let result = fieldkit("sign", folder.appending("f"), "--key", folder.appending("k.key"))
        #expect(result.status == 65)
        #expect(
            result.stderr == """
                error: the secret key \(folder.appending("k.key")) has mode 644: other users may read it
                hint: run 'chmod 600 \(folder.appending("k.key"))' and consider the key exposed if others used this machine
                """)
        #expect(!FileLayer.exists(folder.appending("f.minisig")))
    }
}
