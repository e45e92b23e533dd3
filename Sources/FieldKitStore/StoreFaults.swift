import FieldKitCore

#if FIELDKIT_FAULT_POINTS
    import CStoreFault

    /// In test builds told to fail one of SQLite's own writes or syncs
    /// (`FIELDKIT_IO_FAULT=store-write:N` or `store-sync:N`), the VFS that fails it, installed
    /// as SQLite's default before the store opens its file.
    enum StoreFaults {
        /// Installs the failing VFS once, when the plan names a call SQLite makes.
        static let installed: Bool = {
            guard IOFault.storeCallPlanned else { return false }
            return fieldkit_store_fault_register { call in
                (call == Int32(FieldKitStoreCallSync.rawValue) ? IOFault.storeSync : .storeWrite).strikes() ? 1 : 0
            } == 0
        }()
    }
#endif
