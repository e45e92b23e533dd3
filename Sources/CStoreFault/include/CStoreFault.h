#ifndef FIELDKIT_CSTOREFAULT_H
#define FIELDKIT_CSTOREFAULT_H

/// What the store is doing when it asks whether to fail: writing bytes to one of its files
/// (the database, its write-ahead log or a journal), or syncing one.
enum FieldKitStoreCall { FieldKitStoreCallWrite = 0, FieldKitStoreCallSync = 1 };

/// Asked before every write and sync SQLite makes; nonzero fails that call.
typedef int (*FieldKitStoreFaultDecider)(int call);

/// Registers, as SQLite's default, a VFS that passes every call to the one it replaces but
/// asks `decider` first before each write (failed with SQLITE_FULL, as a full disk fails it)
/// and each sync (failed with SQLITE_IOERR_FSYNC). For test builds only (FaultPoint.swift);
/// returns an SQLite result code. Registering twice does nothing the second time.
int fieldkit_store_fault_register(FieldKitStoreFaultDecider decider);

#endif
