// MySQL reports only the first id of a multi-row INSERT. Each way of learning all of them must give every task
// its own example and link ids, also with concurrent writers on other connections.
import { MysqlDialect, mariaDbHasReturning, type MysqlInsertIdStrategy } from '../../lib/store/mysql';
import { Store } from '../../lib/store/store';
import type { StoreConfig, Task } from '../../lib/store/types';
import { createTestDatabase, rawQuery, type TestDatabase } from '../helpers/databases';
import { rawExamples, rawLinks } from '../helpers/rows';

type MysqlConfig = Extract<StoreConfig, { type: 'mysql' }>;

describe('mariaDbHasReturning', () => {
	it.each([
		['10.11.19-MariaDB-0+deb12u1', true],
		['10.5.0-MariaDB', true],
		['11.4.2-MariaDB-log', true],
		['10.4.32-MariaDB', false],
		['8.0.36', false],
		['8.4.0-0ubuntu0.24.04.1', false],
		['5.7.44-log', false],
	])('%s → %s', (version, expected) => {
		expect(mariaDbHasReturning(version)).toBe(expected);
	});
});

describe('MySQL insert ids', () => {
	let db: TestDatabase;
	beforeEach(async () => {
		db = await createTestDatabase('mysql');
	});
	afterEach(() => db.cleanup());

	it('detects the strategy from the server', async () => {
		const dialect = new MysqlDialect(db.config as MysqlConfig);
		try {
			const [row] = await rawQuery(db.config, 'SELECT VERSION() AS version, @@innodb_autoinc_lock_mode AS mode, @@auto_increment_increment AS increment');
			const plan = await dialect.insertIdPlan();
			const expected = mariaDbHasReturning(String(row.version)) ? 'returning' : [0, 1].includes(Number(row.mode)) ? 'consecutive' : 'multiStatement';
			expect(plan).toEqual({ strategy: expected, increment: Number(row.increment) });
		} finally {
			await dialect.close();
		}
	});

	describe.each<MysqlInsertIdStrategy>(['returning', 'consecutive', 'multiStatement'])('strategy %s', (strategy) => {
		const open = () => new Store(new MysqlDialect(db.config as MysqlConfig, { insertIdStrategy: strategy }));

		it('maps every task to its rows across several statements', async () => {
			const store = open();
			try {
				const tasks = Array.from({ length: 50 }, (_, i) => ({ text: `t${i}`, n: i }));
				const result = await store.addExamples('news', tasks, { rowsPerInsert: 7, session: 'alex' });
				const examples = new Map((await rawExamples(db.config)).map((row) => [row.id, JSON.parse(row.content) as Task]));
				const links = new Map((await rawLinks(db.config)).map((link) => [link.id, link]));
				result.examples.forEach((added, i) => {
					expect(examples.get(added.exampleId as number)).toMatchObject({ n: i });
					expect(links.get(added.linkId as number)).toEqual({ id: added.linkId, exampleId: added.exampleId, dataset: 'news' });
				});
				expect(links.size).toBe(100);
				const single = await store.addExamples('news', [{ text: 'one' }]);
				expect(examples.has(single.examples[0].exampleId as number)).toBe(false);
				expect(JSON.parse((await rawExamples(db.config)).find((row) => row.id === single.examples[0].exampleId)?.content ?? '{}')).toMatchObject({ text: 'one' });
			} finally {
				await store.close();
			}
		});

		it('keeps ids right with concurrent writers', async () => {
			const stores = Array.from({ length: 4 }, open);
			try {
				await stores[0].createDataset('news');
				const results = await Promise.all(
					stores.map((store, w) => store.addExamples('news', Array.from({ length: 40 }, (_, i) => ({ text: `w${w} t${i}`, w, i })), { rowsPerInsert: 5 })),
				);
				const examples = new Map((await rawExamples(db.config)).map((row) => [row.id, JSON.parse(row.content) as Task]));
				const links = new Map((await rawLinks(db.config)).map((link) => [link.id, link]));
				expect(examples.size).toBe(160);
				results.forEach((result, w) =>
					result.examples.forEach((added, i) => {
						expect(examples.get(added.exampleId as number)).toMatchObject({ w, i });
						expect(links.get(added.linkId as number)?.exampleId).toBe(added.exampleId);
					}),
				);
			} finally {
				await Promise.all(stores.map((store) => store.close()));
			}
		});
	});
});
