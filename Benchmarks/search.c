/* The search baseline (Benchmarks/README.md): the same FTS5 queries the toolkit runs, from C,
 * against the same index, through the same system SQLite.
 *
 *   search DATABASE EXPRESSIONS ROUNDS
 *
 * EXPRESSIONS has one query per line, KIND<TAB>EXPRESSION, as `fieldkit-bench search
 * --expressions` writes them (KIND is guide or instrument). Each query is prepared, stepped to
 * the end with every column read, and finalized, as the toolkit does; the whole list runs ROUNDS
 * times. Prints {"queries": …, "hits": …, "p50_us": …, "p95_us": …}. Exit 66 when a file cannot
 * be opened, 65 when a query fails, 64 on wrong arguments. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { MAX_QUERIES = 256, MAX_LINE = 1024 };

static const char *guide_sql =
    "SELECT guide_id, lang, title, snippet(guide_search, 3, '[', ']', '…', 12) AS snippet, "
    "bm25(guide_search, 0.0, 0.0, 5.0, 1.0) AS rank "
    "FROM guide_search WHERE guide_search MATCH ? ORDER BY rank LIMIT ?";
static const char *instrument_sql =
    "SELECT tag FROM instrument_search WHERE instrument_search MATCH ? ORDER BY rank, tag LIMIT ?";

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: search DATABASE EXPRESSIONS ROUNDS\n");
        return 64;
    }
    int rounds = atoi(argv[3]);
    if (rounds < 1) {
        fprintf(stderr, "error: ROUNDS must be a whole number above 0, not '%s'\n", argv[3]);
        return 64;
    }
    FILE *file = fopen(argv[2], "r");
    if (!file) {
        fprintf(stderr, "error: cannot open %s\n", argv[2]);
        return 66;
    }
    static char kinds[MAX_QUERIES][16];
    static char expressions[MAX_QUERIES][MAX_LINE];
    int count = 0;
    char line[MAX_LINE];
    while (count < MAX_QUERIES && fgets(line, sizeof line, file)) {
        line[strcspn(line, "\n")] = 0;
        char *tab = strchr(line, '\t');
        if (!tab) continue;
        *tab = 0;
        snprintf(kinds[count], sizeof kinds[count], "%s", line);
        snprintf(expressions[count], sizeof expressions[count], "%s", tab + 1);
        count++;
    }
    fclose(file);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "error: cannot open %s: %s\n", argv[1], sqlite3_errmsg(db));
        return 66;
    }
    double *times = malloc(sizeof(double) * (size_t)count * (size_t)rounds);
    if (!times) return 71;
    long hits = 0, bytes = 0;
    int n = 0;
    for (int round = 0; round < rounds; round++) {
        for (int q = 0; q < count; q++) {
            int guide = strcmp(kinds[q], "guide") == 0;
            double start = now_us();
            sqlite3_stmt *statement = NULL;
            if (sqlite3_prepare_v2(db, guide ? guide_sql : instrument_sql, -1, &statement, NULL) != SQLITE_OK) {
                fprintf(stderr, "error: %s\n", sqlite3_errmsg(db));
                return 65;
            }
            sqlite3_bind_text(statement, 1, expressions[q], -1, SQLITE_STATIC);
            sqlite3_bind_int(statement, 2, guide ? 80 : 50);
            int status;
            while ((status = sqlite3_step(statement)) == SQLITE_ROW) {
                for (int column = 0; column < sqlite3_column_count(statement); column++) {
                    bytes += sqlite3_column_bytes(statement, column);
                    (void)sqlite3_column_text(statement, column);
                }
                hits++;
            }
            if (status != SQLITE_DONE) {
                fprintf(stderr, "error: %s\n", sqlite3_errmsg(db));
                return 65;
            }
            sqlite3_finalize(statement);
            times[n++] = now_us() - start;
        }
    }
    qsort(times, (size_t)n, sizeof(double), compare);
    int p50 = (n + 1) / 2 - 1, p95 = (int)((95L * n + 99) / 100) - 1;
    printf("{\"queries\": %d, \"hits\": %ld, \"bytes\": %ld, \"p50_us\": %.1f, \"p95_us\": %.1f}\n", n, hits, bytes,
           n ? times[p50 < 0 ? 0 : p50] : 0.0, n ? times[p95 < 0 ? 0 : p95] : 0.0);
    free(times);
    sqlite3_close(db);
    return 0;
}
