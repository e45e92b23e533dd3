import FieldKitCLI

FieldKitCommand.main()
