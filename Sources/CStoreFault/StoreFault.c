// A wrapping VFS: every call goes to SQLite's default VFS, but a write or a sync can be made
// to fail, so that tests can prove a failing disk under the store loses nothing (the sweeps in
// Tests/EndToEndTests/FaultSweepTests.swift). Registered only by test builds.

#include "CStoreFault.h"

#include <sqlite3.h>
#include <string.h>

typedef struct FaultFile {
    sqlite3_file base;  // must come first: SQLite sees this
    sqlite3_file *real; // the wrapped VFS's file, allocated right after this struct
} FaultFile;

static sqlite3_vfs *wrapped;
static sqlite3_vfs faultVfs;
static FieldKitStoreFaultDecider decide;

static sqlite3_file *real(sqlite3_file *file) { return ((FaultFile *)file)->real; }

static int faultClose(sqlite3_file *file) {
    sqlite3_file *inner = real(file);
    return inner->pMethods ? inner->pMethods->xClose(inner) : SQLITE_OK;
}

static int faultRead(sqlite3_file *file, void *buffer, int amount, sqlite3_int64 offset) {
    return real(file)->pMethods->xRead(real(file), buffer, amount, offset);
}

static int faultWrite(sqlite3_file *file, const void *buffer, int amount, sqlite3_int64 offset) {
    if (decide(FieldKitStoreCallWrite)) return SQLITE_FULL;
    return real(file)->pMethods->xWrite(real(file), buffer, amount, offset);
}

static int faultTruncate(sqlite3_file *file, sqlite3_int64 size) {
    return real(file)->pMethods->xTruncate(real(file), size);
}

static int faultSync(sqlite3_file *file, int flags) {
    if (decide(FieldKitStoreCallSync)) return SQLITE_IOERR_FSYNC;
    return real(file)->pMethods->xSync(real(file), flags);
}

static int faultFileSize(sqlite3_file *file, sqlite3_int64 *size) {
    return real(file)->pMethods->xFileSize(real(file), size);
}

static int faultLock(sqlite3_file *file, int level) { return real(file)->pMethods->xLock(real(file), level); }

static int faultUnlock(sqlite3_file *file, int level) { return real(file)->pMethods->xUnlock(real(file), level); }

static int faultCheckReservedLock(sqlite3_file *file, int *out) {
    return real(file)->pMethods->xCheckReservedLock(real(file), out);
}

static int faultFileControl(sqlite3_file *file, int op, void *argument) {
    return real(file)->pMethods->xFileControl(real(file), op, argument);
}

static int faultSectorSize(sqlite3_file *file) { return real(file)->pMethods->xSectorSize(real(file)); }

static int faultDeviceCharacteristics(sqlite3_file *file) {
    return real(file)->pMethods->xDeviceCharacteristics(real(file));
}

static int faultShmMap(sqlite3_file *file, int page, int size, int extend, void volatile **out) {
    return real(file)->pMethods->xShmMap(real(file), page, size, extend, out);
}

static int faultShmLock(sqlite3_file *file, int offset, int n, int flags) {
    return real(file)->pMethods->xShmLock(real(file), offset, n, flags);
}

static void faultShmBarrier(sqlite3_file *file) { real(file)->pMethods->xShmBarrier(real(file)); }

static int faultShmUnmap(sqlite3_file *file, int deleteFlag) {
    return real(file)->pMethods->xShmUnmap(real(file), deleteFlag);
}

static int faultFetch(sqlite3_file *file, sqlite3_int64 offset, int amount, void **out) {
    return real(file)->pMethods->xFetch(real(file), offset, amount, out);
}

static int faultUnfetch(sqlite3_file *file, sqlite3_int64 offset, void *page) {
    return real(file)->pMethods->xUnfetch(real(file), offset, page);
}

static const sqlite3_io_methods faultMethods = {
    3,
    faultClose,
    faultRead,
    faultWrite,
    faultTruncate,
    faultSync,
    faultFileSize,
    faultLock,
    faultUnlock,
    faultCheckReservedLock,
    faultFileControl,
    faultSectorSize,
    faultDeviceCharacteristics,
    faultShmMap,
    faultShmLock,
    faultShmBarrier,
    faultShmUnmap,
    faultFetch,
    faultUnfetch,
};

static int faultOpen(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *outFlags) {
    (void)vfs;
    FaultFile *wrapper = (FaultFile *)file;
    wrapper->real = (sqlite3_file *)&wrapper[1];
    int result = wrapped->xOpen(wrapped, name, wrapper->real, flags, outFlags);
    // SQLite calls xClose only when pMethods is set, and the wrapped file needs closing only
    // when its own open set its methods.
    wrapper->base.pMethods = wrapper->real->pMethods ? &faultMethods : NULL;
    return result;
}

static int faultDelete(sqlite3_vfs *vfs, const char *name, int syncDir) {
    (void)vfs;
    return wrapped->xDelete(wrapped, name, syncDir);
}

static int faultAccess(sqlite3_vfs *vfs, const char *name, int flags, int *out) {
    (void)vfs;
    return wrapped->xAccess(wrapped, name, flags, out);
}

static int faultFullPathname(sqlite3_vfs *vfs, const char *name, int size, char *out) {
    (void)vfs;
    return wrapped->xFullPathname(wrapped, name, size, out);
}

static void *faultDlOpen(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return wrapped->xDlOpen(wrapped, name);
}

static void faultDlError(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    wrapped->xDlError(wrapped, size, out);
}

static void (*faultDlSym(sqlite3_vfs *vfs, void *handle, const char *symbol))(void) {
    (void)vfs;
    return wrapped->xDlSym(wrapped, handle, symbol);
}

static void faultDlClose(sqlite3_vfs *vfs, void *handle) {
    (void)vfs;
    wrapped->xDlClose(wrapped, handle);
}

static int faultRandomness(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    return wrapped->xRandomness(wrapped, size, out);
}

static int faultSleep(sqlite3_vfs *vfs, int microseconds) {
    (void)vfs;
    return wrapped->xSleep(wrapped, microseconds);
}

static int faultCurrentTime(sqlite3_vfs *vfs, double *out) {
    (void)vfs;
    return wrapped->xCurrentTime(wrapped, out);
}

static int faultGetLastError(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    return wrapped->xGetLastError ? wrapped->xGetLastError(wrapped, size, out) : 0;
}

static int faultCurrentTimeInt64(sqlite3_vfs *vfs, sqlite3_int64 *out) {
    (void)vfs;
    if (wrapped->iVersion >= 2 && wrapped->xCurrentTimeInt64) return wrapped->xCurrentTimeInt64(wrapped, out);
    double now = 0;
    int result = wrapped->xCurrentTime(wrapped, &now);
    *out = (sqlite3_int64)(now * 86400000.0);
    return result;
}

int fieldkit_store_fault_register(FieldKitStoreFaultDecider decider) {
    if (wrapped) return SQLITE_OK;
    sqlite3_vfs *current = sqlite3_vfs_find(NULL);
    if (!current || !decider) return SQLITE_ERROR;
    decide = decider;
    wrapped = current;
    memset(&faultVfs, 0, sizeof faultVfs);
    faultVfs.iVersion = 2;
    faultVfs.szOsFile = (int)sizeof(FaultFile) + current->szOsFile;
    faultVfs.mxPathname = current->mxPathname;
    faultVfs.zName = "fieldkit-fault";
    faultVfs.xOpen = faultOpen;
    faultVfs.xDelete = faultDelete;
    faultVfs.xAccess = faultAccess;
    faultVfs.xFullPathname = faultFullPathname;
    faultVfs.xDlOpen = faultDlOpen;
    faultVfs.xDlError = faultDlError;
    faultVfs.xDlSym = faultDlSym;
    faultVfs.xDlClose = faultDlClose;
    faultVfs.xRandomness = faultRandomness;
    faultVfs.xSleep = faultSleep;
    faultVfs.xCurrentTime = faultCurrentTime;
    faultVfs.xGetLastError = faultGetLastError;
    faultVfs.xCurrentTimeInt64 = faultCurrentTimeInt64;
    return sqlite3_vfs_register(&faultVfs, 1);
}
