#!/usr/bin/env python3
# prodigy_queue_feed.py: part of n8n-nodes-prodigy (MIT). Docs: docs/queue-feed.md.
"""Print a Prodigy queue dataset as JSON Lines and keep following what is added.

    python3 prodigy_queue_feed.py QUEUE --exclude ANNOTATIONS --follow \\
        | prodigy textcat.manual ANNOTATIONS - --loader jsonl --label A,B

Each line is one task's `content` bytes exactly as stored, in link order. Tasks whose hash (`--by input`, the
default, or `--by task`) is already in an --exclude dataset are skipped. It connects the way Prodigy does: the
"db" and "db_settings" of Prodigy's prodigy.json, through peewee, so it needs nothing Prodigy does not.

Never twice, never skipped, in link order, even when writers commit out of order (PostgreSQL / MySQL give a row its
id at INSERT and show it at COMMIT, so a lower id can appear after a higher one): the feed only goes past an id once
no open transaction can still commit a link at or below it, and asks the database that, per backend
(settled_upto / read_settled_links below). Restart: with --cursor FILE it continues after the last task it printed;
without, it starts over and skips what has been answered since (what a restarted Prodigy needs).
"""
from __future__ import print_function

import argparse
import json
import os
import select
import signal
import sys
import time

PROG = "prodigy_queue_feed"
CURSOR_VERSION = 1
# MySQL takes an AUTO_INCREMENT value a moment before the row exists in the index. A locking read (which waits for
# uncommitted rows) only covers ids the database already saw committed this long ago (see MysqlBackend).
MYSQL_ALLOCATION_GRACE_S = 1.0
MYSQL_LOCK_WAIT_S = 10
# How many pending horizon snapshots to keep (one a poll); when full the newest is replaced, which only delays.
MAX_PENDING = 64


class FeedError(Exception):
    """A problem the user fixes (configuration, a missing driver, an unknown dataset): message, exit status 2."""


class Stop(Exception):
    """SIGTERM / SIGINT / the reader went away: end cleanly."""


class NotSettled(Exception):
    """A read waited too long for another transaction to commit: try again next pass."""


def warn(message):
    try:
        sys.stderr.write("%s: %s\n" % (PROG, message))
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


# --- Prodigy's configuration --------------------------------------------------------------------------------------
# Prodigy reads prodigy.json from its home folder (PRODIGY_HOME, default ~/.prodigy), lets a prodigy.json in the
# working directory override it key by key, and applies PRODIGY_CONFIG_OVERRIDES (a JSON object) last. Its connect()
# takes config["db"] (default "sqlite") and config["db_settings"][db] (Prodigy 1.6.1 source, components/db.py).
# PRODIGY_CONFIG, a path replacing the home folder's prodigy.json, is from Prodigy's docs and unverified here.


def prodigy_home(environ):
    return environ.get("PRODIGY_HOME") or os.path.join(os.path.expanduser("~"), ".prodigy")


def _read_json_object(path):
    try:
        with open(path, "rb") as handle:
            value = json.loads(handle.read().decode("utf-8"))
    except ValueError as error:
        raise FeedError("%s is not valid JSON: %s" % (path, error))
    if not isinstance(value, dict):
        raise FeedError("%s must hold a JSON object" % path)
    return value


def load_prodigy_config(environ, cwd):
    """Prodigy's merged config and the sources it came from, in the order applied."""
    config = {}
    sources = []
    global_path = environ.get("PRODIGY_CONFIG") or os.path.join(prodigy_home(environ), "prodigy.json")
    local_path = os.path.join(cwd, "prodigy.json")
    for path in (global_path, local_path):
        if os.path.isfile(path) and (not sources or os.path.realpath(path) != os.path.realpath(sources[-1])):
            config.update(_read_json_object(path))
            sources.append(path)
    overrides = environ.get("PRODIGY_CONFIG_OVERRIDES")
    if overrides:
        try:
            value = json.loads(overrides)
        except ValueError as error:
            raise FeedError("PRODIGY_CONFIG_OVERRIDES is not valid JSON: %s" % error)
        if not isinstance(value, dict):
            raise FeedError("PRODIGY_CONFIG_OVERRIDES must be a JSON object")
        config.update(value)
        sources.append("PRODIGY_CONFIG_OVERRIDES")
    return config, sources


def database_settings(config, environ):
    """(backend id, settings) as Prodigy's connect() picks them."""
    db_id = config.get("db", "sqlite")
    if db_id in (True, False, None):
        db_id = "sqlite"
    settings = config.get("db_settings") or {}
    if not isinstance(settings, dict):
        raise FeedError('"db_settings" in prodigy.json must be an object')
    chosen = settings.get(db_id) or {}
    if not isinstance(chosen, dict):
        raise FeedError('"db_settings"."%s" in prodigy.json must be an object' % db_id)
    if db_id not in ("sqlite", "postgresql", "mysql"):
        raise FeedError(
            'prodigy.json names the database "%s"; the feed reads Prodigy\'s own backends: sqlite, postgresql, mysql'
            % db_id
        )
    return db_id, dict(chosen)


def _database_name(settings):
    """Prodigy 1.6.1 connect_postgresql / connect_mysql: the first of db, name, dbname, database; default prodigy."""
    name = "prodigy"
    for key in ("db", "name", "dbname", "database"):
        if key in settings:
            name = settings.pop(key)
    return name


def open_backend(db_id, settings, environ):
    try:
        import peewee
    except ImportError:
        raise FeedError(
            "peewee is not installed for %s (Prodigy's own ORM; pip install peewee, or apt-get install python3-peewee)"
            % sys.executable
        )
    if db_id == "sqlite":
        name = settings.pop("name", "prodigy.db")
        folder = settings.pop("path", prodigy_home(environ))
        path = name if name == ":memory:" else os.path.join(str(folder), name)
        return SqliteBackend(peewee, path, settings)
    name = _database_name(settings)
    if db_id == "postgresql":
        return PostgresBackend(peewee, name, settings)
    return MysqlBackend(peewee, name, settings)


# --- The database, per backend -----------------------------------------------------------------------------------


def _in_list(count):
    return ", ".join(["?"] * count)


class Backend(object):
    kind = ""
    describe = ""

    def __init__(self, database):
        self.database = database
        self.connected = False

    def connect(self):
        if not self.connected:
            self.database.connect(reuse_if_open=True)
            self.after_connect(self.database.connection())
            self.connected = True

    def after_connect(self, connection):
        pass

    def close(self):
        try:
            if not self.database.is_closed():
                self.database.close()
        except Exception:  # noqa: BLE001 - closing a connection that already failed must not hide why it failed
            pass
        self.connected = False

    def sql(self, text):
        return text if self.kind == "sqlite" else text.replace("?", "%s")

    def rows(self, text, params=()):
        self.connect()
        cursor = self.database.execute_sql(self.sql(text), tuple(params))
        try:
            return cursor.fetchall()
        finally:
            cursor.close()

    def has_tables(self):
        raise NotImplementedError

    def max_link_id(self):
        row = self.rows("SELECT MAX(id) FROM link")
        return int(row[0][0]) if row and row[0][0] is not None else 0

    def dataset_ids(self, names):
        """{name: id} for the datasets that exist (names compared exactly: MySQL's collation ignores case)."""
        if not names:
            return {}
        found = self.rows("SELECT id, name FROM dataset WHERE name IN (%s)" % _in_list(len(names)), list(names))
        wanted = set(names)
        return {str(name): int(ident) for ident, name in found if str(name) in wanted}

    def settled_upto(self, now):
        """The highest link id below which no transaction can still commit a link (None: none known yet), and the
        highest link id visible now."""
        raise NotImplementedError

    def read_settled_links(self, dataset_id, after, upto, limit):
        """[(link id, example id)] of the dataset with after < id <= upto, ascending, at most `limit`."""
        return [
            (int(a), int(b))
            for a, b in self.rows(
                "SELECT id, example_id FROM link WHERE dataset_id = ? AND id > ? AND id <= ? ORDER BY id LIMIT ?",
                [dataset_id, after, upto, limit],
            )
        ]

    def read_visible_links(self, dataset_id, after, limit):
        return [
            (int(a), int(b))
            for a, b in self.rows(
                "SELECT id, example_id FROM link WHERE dataset_id = ? AND id > ? ORDER BY id LIMIT ?",
                [dataset_id, after, limit],
            )
        ]

    def examples(self, ids, with_content):
        """{example id: (input_hash, task_hash, content bytes or None)}."""
        columns = "id, input_hash, task_hash, content" if with_content else "id, input_hash, task_hash"
        out = {}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            for row in self.rows("SELECT %s FROM example WHERE id IN (%s)" % (columns, _in_list(len(part))), part):
                content = _as_bytes(row[3]) if with_content else None
                out[int(row[0])] = (int(row[1]), int(row[2]), content)
        return out


def _as_bytes(value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    raise FeedError("unexpected content column type %s" % type(value).__name__)


class SqliteBackend(Backend):
    """One writer at a time holds the file's write lock from its first write to COMMIT, and a rowid is taken inside
    that lock, so links commit in id order: every id up to the highest visible one is final."""

    kind = "sqlite"

    def __init__(self, peewee, path, settings):
        self.path = path
        self.describe = "SQLite %s" % path
        # 30 s of waiting on a writer's lock inside the driver: the feed has nothing else to do meanwhile.
        settings.setdefault("timeout", 30)
        Backend.__init__(self, peewee.SqliteDatabase(path, **settings))

    def connect(self):
        # Prodigy would create a missing file; a reader must not.
        if not self.connected and self.path != ":memory:" and not os.path.isfile(self.path):
            raise FeedError("no SQLite database at %s (check db_settings.sqlite.path / name, or PRODIGY_HOME)" % self.path)
        Backend.connect(self)

    def has_tables(self):
        names = {str(r[0]) for r in self.rows("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return {"dataset", "example", "link"} <= names

    def settled_upto(self, now):
        highest = self.max_link_id()
        return highest, highest


class PostgresBackend(Backend):
    """An INSERT takes RowExclusiveLock on its table before its DEFAULT nextval() runs and keeps it to COMMIT. So
    after reading M = MAX(link.id), every transaction that may still commit a link id <= M holds that lock on link
    right then: remember those transactions (pg_locks, readable by any user); once none of them is still there,
    ids <= M are final. Long transactions elsewhere in the cluster do not hold the feed up, only writers of link."""

    kind = "postgresql"

    def __init__(self, peewee, name, settings):
        self.describe = "PostgreSQL database %s on %s" % (name, settings.get("host", "the local socket"))
        self.pending = []  # [(M, frozenset of virtual transaction ids holding a write lock on link after M was read)]
        Backend.__init__(self, peewee.PostgresqlDatabase(name, **settings))

    def after_connect(self, connection):
        connection.autocommit = True

    def has_tables(self):
        row = self.rows("SELECT to_regclass('dataset'), to_regclass('example'), to_regclass('link')")
        return bool(row) and all(value is not None for value in row[0])

    def link_writers(self):
        return frozenset(
            str(r[0])
            for r in self.rows(
                "SELECT DISTINCT virtualtransaction FROM pg_locks WHERE locktype = 'relation'"
                " AND relation = to_regclass('link')"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                " AND mode IN ('RowExclusiveLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')"
                " AND pid IS DISTINCT FROM pg_backend_pid()"
            )
        )

    def settled_upto(self, now):
        highest = self.max_link_id()
        writers = self.link_writers()  # after MAX(id): see the class comment
        entries = self.pending + [(highest, writers)]
        ready = None
        keep = []
        for upto, barrier in entries:
            if not (barrier & writers):
                ready = upto if ready is None else max(ready, upto)
            else:
                keep.append((upto, barrier))
        if ready is not None:
            keep = [entry for entry in keep if entry[0] > ready]
        if len(keep) > MAX_PENDING:
            keep = keep[: MAX_PENDING - 1] + keep[-1:]
        self.pending = keep
        return ready, highest


class MysqlBackend(Backend):
    """InnoDB: a locking read (LOCK IN SHARE MODE) waits for a row another transaction inserted and has not
    committed, then reads it as committed (or finds it rolled back). So reading the dataset's links in id order that
    way never passes an uncommitted one. READ COMMITTED keeps the read from taking gap locks, which would hold up
    writers. The one gap, an AUTO_INCREMENT value taken a moment before its row exists in the index, is covered by
    reading only up to ids the feed saw committed at least MYSQL_ALLOCATION_GRACE_S ago."""

    kind = "mysql"

    def __init__(self, peewee, name, settings):
        self.describe = "MySQL database %s on %s" % (name, settings.get("host", "localhost"))
        self.pending = []  # [(M, time it was seen)]
        Backend.__init__(self, peewee.MySQLDatabase(name, **settings))

    def after_connect(self, connection):
        connection.autocommit(True)
        cursor = connection.cursor()
        try:
            cursor.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
            cursor.execute("SET SESSION innodb_lock_wait_timeout = %d" % MYSQL_LOCK_WAIT_S)
        finally:
            cursor.close()

    def has_tables(self):
        names = {
            str(r[0]).lower()
            for r in self.rows("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()")
        }
        return {"dataset", "example", "link"} <= names

    def settled_upto(self, now):
        highest = self.max_link_id()
        ready = None
        keep = []
        for upto, seen_at in self.pending + [(highest, now)]:
            if seen_at + MYSQL_ALLOCATION_GRACE_S <= now:
                ready = upto if ready is None else max(ready, upto)
            else:
                keep.append((upto, seen_at))
        if ready is not None:
            keep = [entry for entry in keep if entry[0] > ready]
        if len(keep) > MAX_PENDING:
            keep = keep[: MAX_PENDING - 1] + keep[-1:]
        self.pending = keep
        return ready, highest

    def read_settled_links(self, dataset_id, after, upto, limit):
        try:
            found = self.rows(
                "SELECT id, example_id FROM link WHERE dataset_id = ? AND id > ? AND id <= ? ORDER BY id LIMIT ?"
                " LOCK IN SHARE MODE",
                [dataset_id, after, upto, limit],
            )
        except Exception as error:  # noqa: BLE001 - peewee re-raises the driver's error with its arguments
            code = error.args[0] if error.args else None
            if code in (1205, 1213):  # lock wait timeout / deadlock: the writer is still open (or lost to us)
                raise NotSettled("MySQL error %s" % code)
            raise
        return [(int(a), int(b)) for a, b in found]


# --- Output -----------------------------------------------------------------------------------------------------


class Output(object):
    """Lines to a file descriptor, each written whole before the next (a pipe takes them as the reader reads)."""

    def __init__(self, fd):
        self.fd = fd

    def write_line(self, data):
        view = memoryview(data + b"\n")
        while view:
            written = os.write(self.fd, view)
            view = view[written:]

    def reader_gone(self):
        """True when stdout is a pipe whose reader has closed it (checked while idle, so the feed ends with it)."""
        try:
            poller = select.poll()
            poller.register(self.fd, select.POLLOUT)
            return any(flags & (select.POLLERR | select.POLLHUP) for _, flags in poller.poll(0))
        except (AttributeError, OSError, ValueError):
            return False


def as_line(content):
    """The stored bytes as one JSONL line, or None when they are not a task (a JSON object). Raw CR / LF can only be
    whitespace between JSON tokens (inside strings they are escaped), so blanking them keeps the task as it is."""
    try:
        task = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(task, dict):
        return None
    if b"\n" in content or b"\r" in content:
        content = content.replace(b"\r", b" ").replace(b"\n", b" ")
    return content


# --- The feed ---------------------------------------------------------------------------------------------------


class CursorFile(object):
    """{"version": 1, "queue": NAME, "dataset_id": ID, "after": LINK_ID}: every link of that dataset with id <= after
    was printed or skipped. Written (to a temporary file, then renamed) after each line, so a crash repeats at most
    the line being written."""

    def __init__(self, path, queue):
        self.path = path
        self.queue = queue

    def load(self):
        """(after, dataset id or None)."""
        if not self.path or not os.path.exists(self.path):
            return 0, None
        value = _read_json_object(self.path)
        after = value.get("after")
        dataset_id = value.get("dataset_id")
        if (
            value.get("version") != CURSOR_VERSION
            or not isinstance(after, int)
            or not (dataset_id is None or isinstance(dataset_id, int))
        ):
            raise FeedError("%s is not a cursor file of this feed (delete it to start over)" % self.path)
        if value.get("queue") != self.queue:
            raise FeedError(
                '%s belongs to the queue "%s", not "%s" (use one cursor file per queue)'
                % (self.path, value.get("queue"), self.queue)
            )
        return after, dataset_id

    def save(self, after, dataset_id):
        if not self.path:
            return
        temporary = "%s.%d.tmp" % (self.path, os.getpid())
        state = {"version": CURSOR_VERSION, "queue": self.queue, "dataset_id": dataset_id, "after": after}
        with open(temporary, "w") as handle:
            handle.write(json.dumps(state) + "\n")
        os.replace(temporary, self.path)


class Feed(object):
    def __init__(self, backend, queue, exclude, by, cursor, output, batch=500):
        self.backend = backend
        self.queue = queue
        self.exclude = list(exclude)
        self.hash_index = 0 if by == "input" else 1
        self.cursor = cursor
        self.output = output
        self.batch = batch
        self.after, self.dataset_id = cursor.load()  # the queue's dataset id the cursor counts in
        self.answered = set()  # hashes of exclude links at or below excluded_upto[dataset id]
        self.excluded_upto = {}
        self.queue_id = None
        self.critical = False
        self.stop_requested = False
        self.notes = set()
        self.tables = False
        self.chunks_per_pass = None  # iter_queue: one batch a pass, so memory stays bounded
        self.waiting_since = None
        self.waiting_at = None
        self.last_stall_note = 0.0

    def note_once(self, key, message):
        if key not in self.notes:
            self.notes.add(key)
            warn(message)

    def _exclusion(self, ids_by_name, settled):
        """The hashes answered in the exclude datasets: those at or below `settled` are kept for good (no earlier
        link can appear there any more), the visible ones above are read again every poll."""
        recent = set()
        for name in self.exclude:
            dataset_id = ids_by_name.get(name)
            if dataset_id is None:
                continue
            upto = self.excluded_upto.get(dataset_id, 0)
            while upto < settled:
                links = self.backend.read_settled_links(dataset_id, upto, settled, 5000)
                self._add_hashes(links, self.answered)
                if len(links) < 5000:
                    upto = settled
                else:
                    upto = links[-1][0]
            self.excluded_upto[dataset_id] = max(upto, self.excluded_upto.get(dataset_id, 0))
            above = self.excluded_upto[dataset_id]
            while True:
                links = self.backend.read_visible_links(dataset_id, above, 5000)
                self._add_hashes(links, recent)
                if len(links) < 5000:
                    break
                above = links[-1][0]
        return recent

    def _add_hashes(self, links, into):
        if not links:
            return
        found = self.backend.examples([example for _, example in links], with_content=False)
        for _, example in links:
            hashes = found.get(example)
            if hashes is not None:
                into.add(hashes[self.hash_index])

    def _advance(self, after):
        if after != self.after:
            self.after = after
            self.cursor.save(after, self.dataset_id)

    def poll(self):
        """One pass: prints every settled, unanswered queue task above the cursor. Returns the highest link id
        visible when the pass began: what a run without --follow prints up to."""
        if not self.tables:
            self.tables = self.backend.has_tables()
            if not self.tables:
                self.note_once("tables", "the database has no Prodigy tables yet")
                return 0
        now = time.time()
        settled, highest = self.backend.settled_upto(now)
        if highest < self.after:
            # Links at the top of the table were deleted; SQLite (and MySQL before 8.0, after a restart) may hand
            # those ids out again, to new rows. None of the ids above `highest` exists, so nothing is lost by this.
            self._advance(highest)
        for dataset_id, upto in list(self.excluded_upto.items()):
            self.excluded_upto[dataset_id] = min(upto, highest)
        ids = self.backend.dataset_ids([self.queue] + self.exclude)
        queue_id = ids.get(self.queue)
        if queue_id is None:
            self.note_once("missing", 'the queue dataset "%s" does not exist (yet)' % self.queue)
        elif queue_id != self.dataset_id:
            if self.dataset_id is not None:
                # Dropped and created again: every link of the new dataset is a task never printed.
                warn('the queue dataset "%s" was dropped and created again; printing the new one from its start' % self.queue)
                self.after = 0
            self.dataset_id = queue_id
            self.cursor.save(self.after, self.dataset_id)
        self.queue_id = queue_id
        try:
            # A queue that does not exist yet leaves the cursor where it is: its links are read, settled, once it does.
            if settled is not None:
                recent = self._exclusion(ids, settled)
                if queue_id is not None:
                    self._print_settled(queue_id, settled, recent)
        except NotSettled as waiting:
            self._stalled(now, "a transaction keeps link rows uncommitted (%s)" % waiting)
            return highest
        if settled is not None and settled >= highest:
            self.waiting_since = None
        else:
            self._stalled(now, "a transaction writing to the link table is still open")
        return highest

    def _print_settled(self, queue_id, settled, recent):
        chunks = 0
        while self.after < settled and (self.chunks_per_pass is None or chunks < self.chunks_per_pass):
            chunks += 1
            links = self.backend.read_settled_links(queue_id, self.after, settled, self.batch)
            examples = self.backend.examples([example for _, example in links], with_content=True) if links else {}
            for link_id, example_id in links:
                found = examples.get(example_id)
                line = None
                if found is not None and found[self.hash_index] not in self.answered and found[self.hash_index] not in recent:
                    line = as_line(found[2])
                    if line is None:
                        warn("link %d: example %d is not a JSON task; skipped" % (link_id, example_id))
                if line is None:
                    self._advance(link_id)
                    continue
                self.critical = True
                try:
                    self.output.write_line(line)
                    self._advance(link_id)
                finally:
                    self.critical = False
                if self.stop_requested:
                    raise Stop()
            if len(links) < self.batch:
                self._advance(settled)

    def _stalled(self, now, why):
        """Says so (once a minute) when the cursor has not moved for a minute because a writer has not committed."""
        if self.waiting_since is None or self.after != self.waiting_at:
            self.waiting_since = now
            self.waiting_at = self.after
        elif now - self.waiting_since >= 60 and now - self.last_stall_note >= 60:
            self.last_stall_note = now
            warn(
                "links above %d have waited %d s: %s; the feed prints them, in order, once it commits or rolls back"
                % (self.after, now - self.waiting_since, why)
            )

    def on_signal(self, signum, frame):
        # A line being written finishes first (and its cursor is saved); a second signal ends it there and then.
        if self.critical and not self.stop_requested:
            self.stop_requested = True
            return
        raise Stop()


def _finished(feed, target):
    """Without --follow: True once the queue is printed up to `target`, what was visible at the start."""
    if not feed.tables:
        raise FeedError('the queue dataset "%s" does not exist (the database has no Prodigy tables)' % feed.queue)
    if feed.queue_id is None:
        raise FeedError('the queue dataset "%s" does not exist' % feed.queue)
    return feed.after >= target


def run(feed, follow, poll_seconds):
    """Polls until the queue is printed up to what was there at the start, or, with follow, until stopped."""
    target = None
    failures = 0
    while True:
        try:
            highest = feed.poll()
            failures = 0
        except (FeedError, Stop, BrokenPipeError):
            raise
        except Exception as error:  # noqa: BLE001 - the database went away or refused: retry when following
            if not follow:
                raise
            failures += 1
            text = str(error).strip().splitlines()
            warn("reading the database failed (%s: %s); trying again" % (type(error).__name__, text[0] if text else ""))
            feed.backend.close()
            highest = None
        if not follow:
            target = highest if target is None else target
            if _finished(feed, target):
                return
        wait = min(poll_seconds * (2 ** min(failures, 5)), 60) if failures else poll_seconds
        # Without --follow the feed only waits for the database to settle what it saw at the start.
        deadline = time.time() + (wait if follow else min(wait, 0.2))
        while True:
            if follow and feed.output.reader_gone():
                raise Stop()
            left = deadline - time.time()
            if left <= 0:
                break
            time.sleep(min(left, 0.2))


class _Collected(object):
    def __init__(self):
        self.lines = []

    def write_line(self, data):
        self.lines.append(data)

    def reader_gone(self):
        return False


def iter_queue(queue, exclude=(), by="input", follow=True, poll=2.0, environ=None, cwd=None):
    """The queue's tasks as dicts, in the order and with the guarantees of the command line, for a custom recipe's
    stream where a recipe cannot read standard input. No cursor: a restarted recipe starts over, minus what the
    exclude datasets have answered. Connects with Prodigy's settings (environ / cwd default to this process's)."""
    environ = os.environ if environ is None else environ
    config, _ = load_prodigy_config(environ, os.getcwd() if cwd is None else cwd)
    db_id, settings = database_settings(config, environ)
    output = _Collected()
    feed = Feed(open_backend(db_id, settings, environ), queue, list(exclude), by, CursorFile(None, queue), output)
    feed.chunks_per_pass = 1
    target = None
    try:
        while True:
            highest = feed.poll()
            printed = bool(output.lines)
            while output.lines:
                yield json.loads(output.lines.pop(0).decode("utf-8"))
            if not follow:
                target = highest if target is None else target
                if _finished(feed, target):
                    return
            if not printed:
                time.sleep(poll if follow else min(poll, 0.2))
    finally:
        feed.backend.close()


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="prodigy_queue_feed.py",
        description="Print a Prodigy queue dataset as JSONL (stored content, link order) and follow what is added.",
        epilog="Connects with Prodigy's own settings: prodigy.json in PRODIGY_HOME (default ~/.prodigy), then ./prodigy.json,"
        " then PRODIGY_CONFIG_OVERRIDES. Details: docs/queue-feed.md of n8n-nodes-prodigy.",
    )
    parser.add_argument("queue", help="the queue dataset to print")
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="DATASETS",
        help="annotation dataset(s) whose answered tasks are skipped (comma-separated, or repeat the option)",
    )
    parser.add_argument(
        "--by",
        choices=("input", "task"),
        default="input",
        help="skip by _input_hash (default) or by _task_hash (when the recipe asks the same input several ways)",
    )
    parser.add_argument("--follow", action="store_true", help="keep running and print tasks as they are added")
    parser.add_argument("--poll", type=float, default=2.0, metavar="SECONDS", help="seconds between reads (default 2)")
    parser.add_argument(
        "--cursor",
        metavar="FILE",
        help="remember the last printed task in FILE and continue after it next time"
        " (without it a restart prints every task not answered yet)",
    )
    parser.add_argument("--batch", type=int, default=500, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.exclude = [name.strip() for value in args.exclude for name in value.split(",") if name.strip()]
    if args.queue in args.exclude:
        parser.error("the queue and the annotations dataset must be different datasets")
    if args.poll <= 0:
        parser.error("--poll must be above 0")
    if args.batch < 1:
        parser.error("--batch must be at least 1")
    return args


def main(argv=None, environ=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    environ = os.environ if environ is None else environ
    feed = None
    try:
        config, sources = load_prodigy_config(environ, os.getcwd())
        db_id, settings = database_settings(config, environ)
        backend = open_backend(db_id, settings, environ)
        feed = Feed(backend, args.queue, args.exclude, args.by, CursorFile(args.cursor, args.queue), Output(1), args.batch)
        for signum in (signal.SIGTERM, signal.SIGINT, getattr(signal, "SIGHUP", None)):
            if signum is not None:
                signal.signal(signum, feed.on_signal)
        warn(
            "%s queue %s from %s (settings: %s)%s, after link %d"
            % (
                "following" if args.follow else "printing",
                args.queue,
                backend.describe,
                ", ".join(sources) or "Prodigy's defaults",
                "; skipping what %s answered by %s hash" % (", ".join(args.exclude), args.by) if args.exclude else "",
                feed.after,
            )
        )
        run(feed, args.follow, args.poll)
        return 0
    except Stop:
        return 0
    except BrokenPipeError:
        # The reader (Prodigy, head, ...) closed the pipe: a normal end. Keep Python's exit flush from complaining.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
        except OSError:
            pass
        return 0
    except FeedError as error:
        warn(str(error))
        return 2
    except Exception as error:  # noqa: BLE001 - a driver error: say which, not a traceback
        warn("%s: %s" % (type(error).__name__, str(error).strip()))
        return 1
    finally:
        if feed is not None:
            feed.backend.close()


if __name__ == "__main__":
    sys.exit(main())
