#ifndef FIELDKIT_CARCHIVE_SHIM_H
#define FIELDKIT_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>

// Swift cannot import the AE_IF* macros (they are casts), so they are re-declared as constants.
static const unsigned int FK_AE_IFMT = 0170000;
static const unsigned int FK_AE_IFREG = 0100000;
static const unsigned int FK_AE_IFLNK = 0120000;
static const unsigned int FK_AE_IFSOCK = 0140000;
static const unsigned int FK_AE_IFCHR = 0020000;
static const unsigned int FK_AE_IFBLK = 0060000;
static const unsigned int FK_AE_IFDIR = 0040000;
static const unsigned int FK_AE_IFIFO = 0010000;
#endif
