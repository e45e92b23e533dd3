import Foundation
import PackagePlugin

/// Packs `Bundles/` into the development bundle and hands it to `FieldKitDefaultContent` as a
/// generated Swift file, so `swift build` alone yields an executable that carries its content.
@main
struct BundlePackerPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let root = context.package.directoryURL
        let bundles = root.appending(path: "Bundles")
        let devKeys = root.appending(path: "Sync/dev")
        let output = context.pluginWorkDirectoryURL.appending(path: "GeneratedContent.swift")
        var inputs: [URL] = []
        for folder in [bundles, devKeys] {
            let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
            while let url = enumerator?.nextObject() as? URL {
                if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { inputs.append(url) }
            }
        }
        return [
            .buildCommand(
                displayName: "Packing the development bundle from Bundles/",
                executable: try context.tool(named: "fieldkit-packer").url,
                arguments: [bundles.path, devKeys.path, output.path],
                inputFiles: inputs.sorted { $0.path < $1.path },
                outputFiles: [output])
        ]
    }
}
