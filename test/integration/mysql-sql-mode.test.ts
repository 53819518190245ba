// Values reach MySQL / MariaDB as bound parameters whatever the server's sql_mode: under NO_BACKSLASH_ESCAPES a
// client-side escaped name (' written as \') ends its string literal early, so Dataset → Get of
// `q';DROP/**/TABLE/**/victim;#` used to drop that table. The store's own sessions are put into each mode with the
// dialect's sqlMode option (SET SESSION; the shared server's global setting is never touched).
import { MysqlDialect, MYSQL_PREPARED_STATEMENTS_PER_CONNECTION } from '../../lib/store/mysql';
import { Store } from '../../lib/store/store';
import type { StoreConfig } from '../../lib/store/types';
import { createTestDatabase, rawQuery, type TestDatabase } from '../helpers/databases';
import { failure } from '../helpers/failure';
import { rawDatasets, rawExamples } from '../helpers/rows';

type MysqlConfig = Extract<StoreConfig, { type: 'mysql' }>;

const INJECTION = "q';DROP/**/TABLE/**/victim;#";
// A backslash before a quote, a backslash at the end, and a quote doubled: each is escaped differently per mode.
const TRICKY = ["back\\slash", "o'brien\\'", "end\\", "two''quotes", 'per%cent_under', '"double"', '`tick`'];

async function tables(config: StoreConfig): Promise<string[]> {
	const rows = await rawQuery(config, 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name');
	return rows.map((row) => String(row.name ?? row.NAME));
}

describe('MySQL values are bound in every sql_mode', () => {
	let db: TestDatabase;
	beforeEach(async () => {
		db = await createTestDatabase('mysql');
		await rawQuery(db.config, 'CREATE TABLE victim (id INTEGER)');
	});
	afterEach(() => db.cleanup());

	describe.each([
		['NO_BACKSLASH_ESCAPES'],
		['ANSI,NO_BACKSLASH_ESCAPES'],
		['STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES,PIPES_AS_CONCAT'],
		[''],
		[undefined],
	])('sql_mode %p', (sqlMode) => {
		let dialect: MysqlDialect;
		let store: Store;
		beforeEach(() => {
			dialect = new MysqlDialect(db.config as MysqlConfig, { sqlMode });
			store = new Store(dialect);
		});
		afterEach(() => store.close());

		it("runs the store's sessions in that mode", async () => {
			const [server] = await rawQuery(db.config, 'SELECT @@GLOBAL.sql_mode AS mode');
			const [session] = await dialect.query('SELECT @@SESSION.sql_mode AS mode');
			const modes = String(session.mode).split(',').filter(Boolean);
			// ANSI stands for several modes, which the server lists one by one; mysql2's IGNORE_SPACE client flag adds
			// that mode to the server's default.
			const wanted = sqlMode ?? String(server.mode);
			expect(modes).toEqual(expect.arrayContaining(wanted.split(',').filter(Boolean)));
			if (sqlMode === '') expect(modes).toEqual([]);
		});

		it('looks the injection name up as plain data, on an empty and on a created schema', async () => {
			expect(await store.getDataset(INJECTION)).toBeNull();
			await store.createDataset('news');
			expect(await store.getDataset(INJECTION)).toBeNull();
			expect(await failure(() => store.countExamples(INJECTION))).toMatchObject({ name: 'DatasetNotFoundError' });
			expect(await failure(() => store.updateMeta(INJECTION, { approvals: [] }))).toMatchObject({ name: 'DatasetNotFoundError' });
			expect(await tables(db.config)).toEqual(['dataset', 'example', 'link', 'victim']);
		});

		it('stores the injection name and names with backslashes and quotes exactly, and finds each again', async () => {
			for (const name of [INJECTION, ...TRICKY]) {
				const created = await store.createDataset(name, { note: name });
				expect(created.name).toBe(name);
				expect((await store.getDataset(name))?.meta).toEqual({ note: name });
				const added = await store.addExamples(name, [{ text: `text of ${name}` }], { session: 'al\\ex' });
				expect(added.added).toBe(1);
				const tasks = [];
				for await (const record of store.getExamples(name, { session: `${name}-al\\ex` })) tasks.push(record.task);
				expect(tasks).toMatchObject([{ text: `text of ${name}` }]);
				expect((await store.updateMeta(name, { status: `re'view\\` })).meta).toEqual({ note: name, status: `re'view\\` });
				expect((await store.listSessions(name)).map((session) => session.name)).toEqual([`${name}-al\\ex`]);
				expect((await store.getStats(name)).total).toBe(1);
			}
			const stored = await rawDatasets(db.config);
			expect(stored.filter((row) => !row.session).map((row) => row.name)).toEqual([INJECTION, ...TRICKY]);
			// Byte for byte, as Prodigy reads them (a doubled backslash would still print alike in some tools).
			const hex = await rawQuery(db.config, 'SELECT HEX(name) AS hex FROM dataset WHERE session = 0 ORDER BY id');
			expect(hex.map((row) => String(row.hex))).toEqual([INJECTION, ...TRICKY].map((name) => Buffer.from(name, 'utf8').toString('hex').toUpperCase()));
			expect((await rawExamples(db.config)).map((row) => JSON.parse(row.content).text)).toEqual([INJECTION, ...TRICKY].map((name) => `text of ${name}`));
			expect((await store.dropDataset(INJECTION)).deleted).toBe(true);
			expect(await tables(db.config)).toEqual(['dataset', 'example', 'link', 'victim']);
		});
	});

	it('sends one statement per call: a second statement is a syntax error, never run', async () => {
		const dialect = new MysqlDialect(db.config as MysqlConfig);
		try {
			expect(await failure(() => dialect.run('SELECT 1; DROP TABLE victim'))).toMatchObject({ code: 'ER_PARSE_ERROR' });
			expect(await tables(db.config)).toEqual(['victim']);
		} finally {
			await dialect.close();
		}
	});

	it('keeps at most MYSQL_PREPARED_STATEMENTS_PER_CONNECTION prepared statements open per session', async () => {
		const dialect = new MysqlDialect(db.config as MysqlConfig);
		const session = await dialect.reserve();
		try {
			// 200 statements of different shapes, as IN lists and multi-row INSERTs of many sizes make them.
			for (let size = 1; size <= 200; size++) {
				const rows = await session.query(`SELECT ${Array.from({ length: size }, () => '?').join(' + ')} AS total`, Array.from({ length: size }, () => 1));
				expect(Number(rows[0].total)).toBe(size);
			}
			const status = new Map(
				(await session.query("SHOW SESSION STATUS LIKE 'Com_stmt_%'")).map((row) => [String(row.Variable_name), Number(row.Value)]),
			);
			expect(status.get('Com_stmt_prepare')).toBe(200);
			const open = (status.get('Com_stmt_prepare') ?? 0) - (status.get('Com_stmt_close') ?? 0);
			expect(open).toBeLessThanOrEqual(MYSQL_PREPARED_STATEMENTS_PER_CONNECTION);
		} finally {
			await session.release();
			await dialect.close();
		}
	});
});
