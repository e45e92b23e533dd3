#!/usr/bin/env python3
"""The side-by-side benchmark (Benchmarks/README.md, docs/PERFORMANCE.md).

Runs the release `fieldkit` and the plain C tools (sqlite3, zstd, age, openssl) on the same
data in the same run, interleaved (A B A B …), and prints, per pair, the median, min and max
of each side, the median of the paired ratios (fieldkit / baseline), the target and the peak
RSS. `make bench` and `make bench-full` call it after building; it needs nothing but Python's
standard library and the tools `make` installs.
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIELDKIT = os.path.join(ROOT, ".build", "release", "fieldkit")
HELPER = os.path.join(ROOT, ".build", "release", "fieldkit-bench")
EVENT_COLUMNS = "device, seq, id, hash, line, type, hlc_millis, hlc_counter, local_date, site"
GUIDE_SQL = (
    "SELECT guide_id, lang, title, snippet(guide_search, 3, '[', ']', '…', 12) AS snippet, "
    "bm25(guide_search, 0.0, 0.0, 5.0, 1.0) AS rank "
    "FROM guide_search WHERE guide_search MATCH '{}' ORDER BY rank LIMIT 80"
)


def fail(message, code):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(code)


def run(argv, cwd, capture=False, env=None):
    """Runs an untimed step; a failure stops the benchmark with the step's own output."""
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"{' '.join(argv)} exited {result.returncode}:\n{result.stdout}{result.stderr}", 70)
    return result.stdout if capture else None


class Sample:
    """One timed run: wall seconds and peak RSS in KiB (from /usr/bin/time -v)."""

    def __init__(self, seconds, rss_kib, output=""):
        self.seconds = seconds
        self.rss_kib = rss_kib
        self.output = output


def timed(argv, cwd, repeat=1):
    """Runs argv `repeat` times in a row under /usr/bin/time -v; the time is per run."""
    with tempfile.NamedTemporaryFile(prefix="bench-time-", delete=False) as handle:
        report = handle.name
    peak = 0
    output = ""
    start = time.perf_counter()
    for _ in range(repeat):
        result = subprocess.run(["/usr/bin/time", "-v", "-o", report] + argv, cwd=cwd, capture_output=True, text=True)
        if result.returncode != 0:
            fail(f"{' '.join(argv)} exited {result.returncode}:\n{result.stdout}{result.stderr}", 70)
        output = result.stdout
        with open(report) as lines:
            found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", lines.read())
        peak = max(peak, int(found.group(1)) if found else 0)
    elapsed = (time.perf_counter() - start) / repeat
    os.unlink(report)
    return Sample(elapsed, peak, output)


def fresh(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def copy(source, destination):
    shutil.rmtree(destination, ignore_errors=True)
    shutil.copytree(source, destination, symlinks=True)
    return destination


def archives(stick):
    """The archives on a stick, in name order."""
    found = []
    for folder, _, names in os.walk(os.path.join(stick, "fieldkit-sync", "outbound")):
        found += [os.path.join(folder, name) for name in names if name.endswith(".sealed")]
    return sorted(found)


def ranges(stick):
    """The seq ranges of a stick's archives, from their names (DEVICE-FIRST-LAST.tar.zst.sealed)."""
    result = []
    for path in archives(stick):
        found = re.match(r"[0-9a-f]{16}-(\d+)-(\d+)\.", os.path.basename(path))
        if found:
            result.append((int(found.group(1)), int(found.group(2))))
    return result


class Bench:
    def __init__(self, events, pairs, rounds, work, fieldkit):
        self.fieldkit = fieldkit
        self.events = events
        self.pairs = pairs
        self.rounds = rounds
        self.work = work
        self.samples = {}
        self.notes = {}

    def fk(self, *arguments):
        return [self.fieldkit] + list(arguments)

    def add(self, pair, side, sample):
        self.samples.setdefault(pair, {}).setdefault(side, []).append(sample)

    # Setup, untimed -------------------------------------------------------------------------

    def setup(self):
        w = fresh(self.work)
        say(f"setting up in {w}: headquarters, a laptop, {self.events} events")
        run(self.fk("hub", "init", "--root-out", "safe", "--data-dir", "hq"), w)
        run(
            self.fk(
                "init", "--device", "bench-laptop", "--site", "AMS-ZO-01", "--technician", "Bench Technician",
                "--hq-root", "safe/root.pub", "--data-dir", "dev",
            ),
            w,
        )
        # The first look-up installs the bundle built into fieldkit: the inventory and the index.
        run(self.fk("guide", "search", "bridge", "--data-dir", "dev"), w)
        fresh(os.path.join(w, "enrol-stick"))
        run(self.fk("enrol", "--to", "enrol-stick", "--data-dir", "dev"), w)
        fingerprint = json.loads(run(self.fk("status", "--json", "--data-dir", "dev"), w, capture=True))["fingerprint"]
        run(self.fk("hub", "enrol", "enrol-stick", "--fingerprint", fingerprint, "--by", "Bench", "--data-dir", "hq"), w)
        run(self.fk("sync", "enrol-stick", "--data-dir", "dev"), w)
        # The events in a hundred chunks, each synced to the small stick after it: a hundred
        # archives of N/100 events, written by the toolkit's own sync.
        fresh(os.path.join(w, "small-stick"))
        chunk = self.events // 100
        for index in range(100):
            run([HELPER, "generate", "--data-dir", "dev", "--events", str(chunk)], w)
            run(self.fk("sync", "small-stick", "--data-dir", "dev"), w)
            if index % 20 == 19:
                say(f"  {index + 1} of 100 chunks")
        copy(os.path.join(w, "hq"), os.path.join(w, "hq-base"))
        # The baseline's keys: an age identity for sealing, an Ed25519 key for signing.
        run(["age-keygen", "-o", "age.key"], w)
        self.recipient = run(["age-keygen", "-y", "age.key"], w, capture=True).strip()
        run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", "ed.pem"], w)
        # The baseline's database: the hub's events table with the same indexes, without the
        # append-only triggers (an upsert would trip them).
        schema = run(["sqlite3", "hq/fieldkit.sqlite", ".schema events"], w, capture=True)
        table = "\n".join(
            statement + ";"
            for statement in schema.split(";")
            if statement.strip() and "TRIGGER" not in statement and "RAISE" not in statement
            and not statement.strip().startswith("END")
        )
        if os.path.exists(os.path.join(w, "base.sqlite")):
            os.unlink(os.path.join(w, "base.sqlite"))
        run(["sqlite3", "base.sqlite", "PRAGMA journal_mode=WAL;", table], w)
        run(["cc", "-O2", "-o", "search-c", os.path.join(ROOT, "Benchmarks", "search.c"), "-lsqlite3"], w)
        run(["swiftc", "-O", os.path.join(ROOT, "Benchmarks", "hello.swift"), "-o", "hello"], w)
        run([HELPER, "search", "--data-dir", "dev", "--rounds", "1", "--expressions", "expressions.tsv"], w)
        self.held = len(ranges(os.path.join(w, "small-stick")))

    # The pairs ------------------------------------------------------------------------------

    def export_round(self):
        w = self.work
        fresh(os.path.join(w, "export-stick"))
        self.add("export", "fieldkit", timed(self.fk("sync", "export-stick", "--data-dir", "dev"), w))
        self.capped = ranges(os.path.join(w, "export-stick"))
        out = fresh(os.path.join(w, "baseline-out"))
        steps = []
        for first, last in self.capped:
            name = os.path.join(out, f"{first}-{last}")
            steps.append(
                f"sqlite3 -readonly -csv dev/fieldkit.sqlite "
                f"\"SELECT {EVENT_COLUMNS} FROM events WHERE seq BETWEEN {first} AND {last} ORDER BY seq\""
                f" | zstd -3 -q -c | age -r {self.recipient} > {name}.age"
                f" && openssl dgst -sha256 -binary -out {name}.sha256 {name}.age"
                f" && openssl pkeyutl -sign -inkey ed.pem -rawin -in {name}.sha256 -out {name}.sig"
            )
        script = "set -eo pipefail\n" + "\n".join(steps) + "\n"
        self.add("export", "baseline", timed(["bash", "-c", script], w))

    def merge_round(self):
        w = self.work
        # fieldkit's first merge of the capped archives.
        copy(os.path.join(w, "hq-base"), os.path.join(w, "hq-run"))
        copy(os.path.join(w, "export-stick"), os.path.join(w, "import-stick"))
        first = timed(self.fk("hub", "import", "import-stick", "--data-dir", "hq-run"), w)
        self.add("merge", "fieldkit", first)
        self.add("re-merge", "baseline", first)
        self.add("100 archives", "baseline", first)
        # The C tools: unseal, decompress, .import into a staging table, one upsert.
        shutil.copyfile(os.path.join(w, "base.sqlite"), os.path.join(w, "run.sqlite"))
        imports = "\n".join(
            f".import '|age -d -i age.key baseline-out/{a}-{b}.age | zstd -d -q -c' staging" for a, b in self.capped
        )
        script = (
            "PRAGMA journal_mode=WAL;\nPRAGMA synchronous=FULL;\n"
            f"CREATE TEMP TABLE staging({EVENT_COLUMNS});\n.mode csv\n{imports}\n"
            f"INSERT INTO events SELECT device, seq, id, hash, CAST(line AS BLOB), type, hlc_millis, hlc_counter, "
            "local_date, site FROM staging WHERE true\n"
            "  ON CONFLICT (device, seq) DO UPDATE SET hash = excluded.hash, line = excluded.line;\n"
            "SELECT count(*) FROM events;\n"
        )
        with open(os.path.join(w, "merge.sql"), "w") as handle:
            handle.write(script)
        baseline = timed(["bash", "-c", "sqlite3 run.sqlite < merge.sql"], w)
        merged = int(baseline.output.strip().splitlines()[-1])
        if merged != self.total:
            fail(f"the baseline merged {merged} rows, not {self.total}", 70)
        self.add("merge", "baseline", baseline)
        # fieldkit again on what it has just merged.
        copy(os.path.join(w, "import-stick"), os.path.join(w, "again-stick"))
        self.add("re-merge", "fieldkit", timed(self.fk("hub", "import", "again-stick", "--data-dir", "hq-run"), w))
        # fieldkit's first merge of the hundred small archives.
        copy(os.path.join(w, "hq-base"), os.path.join(w, "hq-small"))
        copy(os.path.join(w, "small-stick"), os.path.join(w, "small-import"))
        self.add(
            "100 archives", "fieldkit", timed(self.fk("hub", "import", "small-import", "--data-dir", "hq-small"), w)
        )

    def search_round(self):
        w = self.work
        fk = timed([HELPER, "search", "--data-dir", "dev", "--rounds", str(self.rounds)], w)
        c = timed(["./search-c", "dev/fieldkit.sqlite", "expressions.tsv", str(self.rounds)], w)
        for side, sample in (("fieldkit", fk), ("baseline", c)):
            figures = json.loads(sample.output)
            self.add("search p50", side, Sample(figures["p50_us"] / 1e6, sample.rss_kib))
            self.add("search p95", side, Sample(figures["p95_us"] / 1e6, sample.rss_kib))

    def startup_round(self):
        w = self.work
        self.add("start-up: --version", "fieldkit", timed(self.fk("--version"), w, repeat=20))
        self.add("start-up: --version", "baseline", timed(["./hello"], w, repeat=20))
        self.add(
            "start-up: guide search",
            "fieldkit",
            timed(self.fk("guide", "search", "bridge leans", "--data-dir", "dev"), w, repeat=10),
        )
        expression = open(os.path.join(w, "expressions.tsv")).readline().split("\t")[1].strip()
        self.add(
            "start-up: guide search",
            "baseline",
            timed(["sqlite3", "-readonly", "dev/fieldkit.sqlite", GUIDE_SQL.format(expression.replace("'", "''"))], w, repeat=10),
        )

    def run(self):
        started = time.perf_counter()
        self.setup()
        self.setup_seconds = time.perf_counter() - started
        say(f"set up in {self.setup_seconds:.0f} s")
        self.total = int(run(["sqlite3", "dev/fieldkit.sqlite", "SELECT count(*) FROM events"], self.work, capture=True))
        for index in range(self.pairs):
            say(f"pair {index + 1} of {self.pairs}")
            self.export_round()
            self.merge_round()
            self.search_round()
            self.startup_round()


TARGETS = {
    "export": ("≤ 1.5", lambda r, fk, base, n: r <= 1.5),
    "merge": ("≤ 1.5", lambda r, fk, base, n: r <= 1.5),
    "re-merge": ("≤ 0.1", lambda r, fk, base, n: r <= 0.1),
    # 1.2 × the capped archives' time + 20 ms per archive.
    "100 archives": ("≤ 1.2 + 20 ms/archive", lambda r, fk, base, n: fk <= 1.2 * base + 0.020 * n),
    "search p50": ("≤ 1.25", lambda r, fk, base, n: r <= 1.25),
    "search p95": ("≤ 1.5", lambda r, fk, base, n: r <= 1.5),
    "start-up: --version": ("≤ 2", lambda r, fk, base, n: r <= 2),
    "start-up: guide search": ("≤ 2", lambda r, fk, base, n: r <= 2),
}
BASELINES = {
    "export": "sqlite3 -csv | zstd -3 | age -r, openssl dgst -sha256, Ed25519 signature, per archive",
    "merge": "age -d | zstd -d → sqlite3 .import into a staging table, one INSERT … ON CONFLICT DO UPDATE",
    "re-merge": "fieldkit's own first merge",
    "100 archives": "fieldkit's merge of the same events in capped archives",
    "search p50": "the same FTS5 queries from C (Benchmarks/search.c)",
    "search p95": "the same FTS5 queries from C (Benchmarks/search.c)",
    "start-up: --version": "a Swift hello-world (Benchmarks/hello.swift, swiftc -O)",
    "start-up: guide search": "sqlite3 -readonly running the same FTS5 query",
}


def seconds(value):
    if value < 0.01:
        return f"{value * 1e3:.2f} ms" if value >= 0.0001 else f"{value * 1e6:.0f} µs"
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


def summarise(bench):
    rows = []
    for pair, sides in bench.samples.items():
        fk = sides["fieldkit"]
        base = sides["baseline"]
        ratios = [a.seconds / b.seconds for a, b in zip(fk, base) if b.seconds > 0]
        ratio = statistics.median(ratios)
        fk_median = statistics.median(s.seconds for s in fk)
        base_median = statistics.median(s.seconds for s in base)
        target, check = TARGETS[pair]
        rows.append(
            {
                "pair": pair,
                "fieldkit": {
                    "median": fk_median, "min": min(s.seconds for s in fk), "max": max(s.seconds for s in fk),
                    "peak_rss_mib": max(s.rss_kib for s in fk) / 1024,
                },
                "baseline": {
                    "median": base_median, "min": min(s.seconds for s in base),
                    "max": max(s.seconds for s in base), "peak_rss_mib": max(s.rss_kib for s in base) / 1024,
                },
                "ratio": ratio,
                "ratios": ratios,
                "target": target,
                "met": bool(check(ratio, fk_median, base_median, bench.held)),
                "baseline_is": BASELINES[pair],
            }
        )
    return rows


def table(rows, bench):
    lines = [
        f"{bench.total} events ({bench.events} generated), {len(bench.capped)} capped archives, "
        f"{bench.held} small archives, {bench.pairs} pairs, interleaved",
        "",
        "| pair | fieldkit median (min–max) | baseline median (min–max) | ratio (median of pairs) | target | met | peak RSS fieldkit / baseline |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        fk, base = row["fieldkit"], row["baseline"]
        lines.append(
            f"| {row['pair']} | {seconds(fk['median'])} ({seconds(fk['min'])}–{seconds(fk['max'])}) "
            f"| {seconds(base['median'])} ({seconds(base['min'])}–{seconds(base['max'])}) "
            f"| {row['ratio']:.2f} | {row['target']} | {'yes' if row['met'] else '**no**'} "
            f"| {fk['peak_rss_mib']:.0f} MiB / {base['peak_rss_mib']:.0f} MiB |"
        )
    return "\n".join(lines)


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as info:
            found = re.search(r"model name\s*:\s*(.*)", info.read())
            model = found.group(1) if found else ""
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as info:
            found = re.search(r"MemTotal:\s*(\d+)", info.read())
            memory = f"{int(found.group(1)) / 1024 / 1024:.0f} GiB" if found else ""
    except OSError:
        pass

    def version(argv):
        try:
            out = subprocess.run(argv, capture_output=True, text=True)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError):
            return "not found"

    return {
        "cpu": f"{os.cpu_count()} × {model}".strip(),
        "memory": memory,
        "kernel": platform.release(),
        "swift": version(["swift", "--version"]),
        "sqlite3": version(["sqlite3", "--version"]).split(" ")[0],
        "zstd": version(["zstd", "--version"]),
        "age": version(["age", "--version"]),
        "openssl": version(["openssl", "version"]),
    }


def say(text):
    print(text, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="events to generate (a multiple of 100)")
    parser.add_argument("--pairs", type=int, default=5, help="interleaved pairs per comparison (at least 5)")
    parser.add_argument("--search-rounds", type=int, default=200, help="rounds of the query mix per search run")
    parser.add_argument("--work", default=None, help="scratch folder (default .build/bench/N)")
    parser.add_argument(
        "--fieldkit", default=FIELDKIT, help="the fieldkit executable to measure (default: the release build)"
    )
    args = parser.parse_args()
    if args.events < 100 or args.events % 100:
        fail(f"--events must be a multiple of 100, not {args.events}", 64)
    if args.pairs < 1:
        fail("--pairs must be at least 1", 64)
    for path in (args.fieldkit, HELPER):
        if not os.access(path, os.X_OK):
            fail(f"{path} is not built: run `make bench`, which builds it (swift build -c release)", 66)
    for tool in ("sqlite3", "zstd", "age", "age-keygen", "openssl", "cc", "swiftc", "/usr/bin/time"):
        if not shutil.which(tool):
            fail(f"{tool} is not installed: run `make bench`, which installs it", 69)
    work = args.work or os.path.join(ROOT, ".build", "bench", str(args.events))
    bench = Bench(args.events, args.pairs, args.search_rounds, work, os.path.abspath(args.fieldkit))
    started = time.perf_counter()
    bench.run()
    rows = summarise(bench)
    text = table(rows, bench)
    description = machine()
    say("")
    say(text)
    say("")
    say("machine: " + "; ".join(f"{k} {v}" for k, v in description.items()))
    took = time.perf_counter() - started
    say(f"benchmark took {took:.0f} s after the build ({bench.setup_seconds:.0f} s of it setting up)")
    os.makedirs(os.path.dirname(work), exist_ok=True)
    with open(os.path.join(os.path.dirname(work), f"results-{args.events}.json"), "w") as handle:
        json.dump(
            {
                "events": bench.total, "machine": description, "rows": rows, "seconds": round(took),
                "setup_seconds": round(bench.setup_seconds),
            },
            handle, indent=2,
        )
    with open(os.path.join(os.path.dirname(work), f"results-{args.events}.md"), "w") as handle:
        handle.write(text + "\n")


if __name__ == "__main__":
    main()
