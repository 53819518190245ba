// Every store operation on a real SQLite file, the running PostgreSQL and the running MariaDB, checked with SQL
// the way Prodigy reads the tables.
import { existsSync, writeFileSync } from 'node:fs';

import {
	DatasetExistsError,
	DatasetNotFoundError,
	InvalidDatasetNameError,
	InvalidTaskError,
	ProdigyInputError,
} from '../../lib/errors';
import { setHashes } from '../../lib/hashing';
import { parseJsonLossless, PyFloat, stringifyTask } from '../../lib/json';
import { openStore, type ProdigyStore, type Task } from '../../lib/store';
import { BACKENDS, createTestDatabase, rawQuery, type TestDatabase } from '../helpers/databases';
import { collect, linkIds, linkRawContent, rawDatasets, rawExamples, rawLinks, rowCounts, text } from '../helpers/rows';

const NOW = new Date(2024, 4, 17, 9, 3, 7); // local time → session "2024-05-17_09-03-07"
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);

describe.each(BACKENDS)('ProdigyStore on %s', (backend) => {
	let db: TestDatabase;
	let store: ProdigyStore;

	beforeEach(async () => {
		db = await createTestDatabase(backend);
		store = openStore(db.config);
	});
	afterEach(async () => {
		await store.close();
		await db.cleanup();
	});

	describe('datasets', () => {
		it('creates a dataset row as Prodigy writes it and reads it back', async () => {
			const created = await store.createDataset('ner_news', { description: 'Headlines', author: 'Ines', nested: { a: [1, 2] } }, { now: NOW });
			expect(created).toEqual({
				id: expect.any(Number),
				name: 'ner_news',
				created: NOW_SECONDS,
				meta: { description: 'Headlines', author: 'Ines', nested: { a: [1, 2] } },
				session: false,
			});
			expect(await rawDatasets(db.config)).toEqual([
				{ id: created.id, name: 'ner_news', created: NOW_SECONDS, meta: '{"description":"Headlines","author":"Ines","nested":{"a":[1,2]}}', session: false },
			]);
			expect(await store.getDataset('ner_news')).toEqual(created);
			expect(await store.getDataset('missing')).toBeNull();
		});

		it('treats names as case-sensitive, also where the collation is not', async () => {
			await store.createDataset('News');
			expect(await store.getDataset('news')).toBeNull();
			expect((await store.getDataset('News'))?.name).toBe('News');
		});

		it('refuses a taken name and invalid names, writing nothing', async () => {
			await store.createDataset('news');
			await expect(store.createDataset('news')).rejects.toThrow(DatasetExistsError);
			await expect(store.createDataset('my news')).rejects.toThrow(InvalidDatasetNameError);
			await expect(store.createDataset('a,b')).rejects.toThrow(InvalidDatasetNameError);
			await expect(store.createDataset('')).rejects.toThrow(InvalidDatasetNameError);
			await expect(store.createDataset('x'.repeat(256))).rejects.toThrow(InvalidDatasetNameError);
			await expect(store.addExamples('my news', [{ text: 'a' }])).rejects.toThrow(InvalidDatasetNameError);
			await expect(store.addExamples('news', [{ text: 'a' }], { session: 'al ex' })).rejects.toThrow(InvalidDatasetNameError);
			expect(await rowCounts(db.config)).toEqual({ dataset: 1, example: 0, link: 0 });
		});

		it('lists datasets with and without sessions, by name, after an id, limited', async () => {
			const a = await store.createDataset('alpha_NER');
			await store.createDataset('alpha_NER-alex', {}, { session: true });
			const b = await store.createDataset('beta');
			const c = await store.createDataset('gamma_ner');
			expect((await store.listDatasets()).map((d) => d.name)).toEqual(['alpha_NER', 'beta', 'gamma_ner']);
			expect((await store.listDatasets({ includeSessions: true })).map((d) => [d.name, d.session])).toEqual([
				['alpha_NER', false],
				['alpha_NER-alex', true],
				['beta', false],
				['gamma_ner', false],
			]);
			expect((await store.listDatasets({ nameContains: 'ner' })).map((d) => d.name)).toEqual(['alpha_NER', 'gamma_ner']);
			expect((await store.listDatasets({ nameContains: 'NER', includeSessions: true, limit: 2 })).map((d) => d.name)).toEqual([
				'alpha_NER',
				'alpha_NER-alex',
			]);
			expect((await store.listDatasets({ afterId: a.id })).map((d) => d.id)).toEqual([b.id, c.id]);
			expect((await store.listDatasets({ limit: 1 })).map((d) => d.name)).toEqual(['alpha_NER']);
			expect(await store.listDatasets({ limit: 0 })).toEqual([]);
		});
	});

	describe('updateMeta', () => {
		it('merges a patch, keeping keys it does not touch byte for byte', async () => {
			await store.createDataset('news', { description: 'old', score: parseJsonLossless('10.0') as never, keep: { x: 1 } });
			const updated = await store.updateMeta('news', { description: 'new', author: 'Ines', keep: undefined as never });
			expect(updated.meta).toEqual({ description: 'new', score: 10, author: 'Ines' });
			const [row] = await rawDatasets(db.config);
			expect(row.meta).toBe('{"description":"new","score":10.0,"author":"Ines"}');
		});

		it('applies an updater function, and writes nothing when it throws', async () => {
			await store.createDataset('news', { versions: [] });
			const updated = await store.updateMeta('news', (meta) => ({ ...meta, versions: [...(meta.versions as unknown[]), 'v1'] }));
			expect(updated.meta).toEqual({ versions: ['v1'] });
			await expect(
				store.updateMeta('news', () => {
					throw new Error('updater failed');
				}),
			).rejects.toThrow('updater failed');
			await expect(store.updateMeta('news', () => [] as never)).rejects.toThrow(ProdigyInputError);
			expect((await store.getDataset('news'))?.meta).toEqual({ versions: ['v1'] });
			await expect(store.updateMeta('missing', { a: 1 })).rejects.toThrow(DatasetNotFoundError);
		});

		it('loses no concurrent read-modify-write (row lock)', async () => {
			await store.createDataset('news', { versions: [] });
			const stores = Array.from({ length: 6 }, () => openStore(db.config));
			try {
				await Promise.all(
					stores.flatMap((other, i) =>
						[0, 1].map(async (j) => {
							await other.updateMeta('news', (meta) => ({ ...meta, versions: [...(meta.versions as string[]), `${i}.${j}`] }));
						}),
					),
				);
			} finally {
				await Promise.all(stores.map((other) => other.close()));
			}
			const versions = (await store.getDataset('news'))?.meta.versions as string[];
			expect([...versions].sort()).toEqual(['0.0', '0.1', '1.0', '1.1', '2.0', '2.1', '3.0', '3.1', '4.0', '4.1', '5.0', '5.1']);
		});
	});

	describe('addExamples', () => {
		it('writes one example and one link per task, hash columns equal to the hashes in content', async () => {
			const tasks: Task[] = [{ text: 'My name is Freya.' }, { text: 'hi my name is 0', label: 'foo' }, { text: 'Ünïcödé 😀', meta: { source: 'x' } }];
			const input = structuredClone(tasks);
			const result = await store.addExamples('news', tasks, { now: NOW });
			expect(tasks).toEqual(input); // the caller's tasks are not modified
			expect(result).toMatchObject({ dataset: 'news', datasetCreated: true, added: 3, skipped: 0 });
			expect(result.sessionDataset).toBeUndefined();

			const examples = await rawExamples(db.config);
			expect(examples).toHaveLength(3);
			for (const row of examples) {
				const content = JSON.parse(row.content) as Task;
				expect(row.inputHash).toBe(content._input_hash);
				expect(row.taskHash).toBe(content._task_hash);
			}
			// Prodigy's published hashes (docs/prodigy.md §4).
			expect(examples.slice(0, 2).map((row) => [row.inputHash, row.taskHash])).toEqual([
				[896529854, -1486695581],
				[-784135307, -1606845795],
			]);
			expect(examples[0].content).toBe('{"text":"My name is Freya.","_input_hash":896529854,"_task_hash":-1486695581}');
			expect(examples[2].content).toBe(stringifyTask(result.examples[2].task));
			expect(examples[2].content).toContain('Ünïcödé 😀');

			const links = await rawLinks(db.config);
			expect(links.map((link) => [link.exampleId, link.dataset])).toEqual(examples.map((row) => [row.id, 'news']));
			expect(result.examples.map((e) => [e.exampleId, e.linkId, e.inputHash, e.taskHash, e.duplicate])).toEqual(
				examples.map((row, i) => [row.id, links[i].id, row.inputHash, row.taskHash, false]),
			);
			expect((await store.getDataset('news'))?.created).toBe(NOW_SECONDS);
		});

		it('keeps carried hashes, computes missing ones, overwrites when asked', async () => {
			const result = await store.addExamples('news', [
				{ text: 'a', _input_hash: 1, _task_hash: 2 },
				{ text: 'a', _input_hash: 1 },
			]);
			expect(result.examples.map((e) => [e.inputHash, e.taskHash])).toEqual([
				[1, 2],
				[1, setHashes({ text: 'a', _input_hash: 1 })._task_hash],
			]);
			const overwritten = await store.addExamples('news', [{ text: 'hi my name is 0', label: 'foo', _input_hash: 1, _task_hash: 2 }], {
				hashOptions: { overwrite: true },
			});
			expect([overwritten.examples[0].inputHash, overwritten.examples[0].taskHash]).toEqual([-784135307, -1606845795]);
			const rows = await rawExamples(db.config);
			expect(rows.map((row) => [row.inputHash, row.taskHash])).toEqual(result.examples.concat(overwritten.examples).map((e) => [e.inputHash, e.taskHash]));
		});

		it('sets a default answer only where missing, without changing the hashes', async () => {
			const result = await store.addExamples('news', [{ text: 'a' }, { text: 'b', answer: 'reject' }], { defaultAnswer: 'accept' });
			const rows = await rawExamples(db.config);
			expect(rows.map((row) => (JSON.parse(row.content) as Task).answer)).toEqual(['accept', 'reject']);
			expect(result.examples[0].task.answer).toBe('accept');
			expect(result.examples[0].inputHash).toBe(setHashes({ text: 'a' })._input_hash);
			expect(result.examples[0].taskHash).toBe(setHashes({ text: 'a' })._task_hash);
		});

		it('links every example to a named session dataset as well (session = true)', async () => {
			const result = await store.addExamples('news', [{ text: 'a' }, { text: 'b' }], { session: 'alex', now: NOW });
			expect(result.sessionDataset).toBe('news-alex');
			const datasets = await rawDatasets(db.config);
			expect(datasets.map((d) => [d.name, d.session, d.created, d.meta])).toEqual([
				['news', false, NOW_SECONDS, '{}'],
				['news-alex', true, NOW_SECONDS, '{}'],
			]);
			const links = await rawLinks(db.config);
			const [first, second] = result.examples.map((e) => e.exampleId);
			// Like Prodigy: per example, a link to the dataset and then to the session.
			expect(links.map((link) => [link.exampleId, link.dataset])).toEqual([
				[first, 'news'],
				[first, 'news-alex'],
				[second, 'news'],
				[second, 'news-alex'],
			]);
			expect(result.examples.map((e) => e.linkId)).toEqual([links[0].id, links[2].id]);
			// A second batch reuses the session dataset.
			await store.addExamples('news', [{ text: 'c' }], { session: 'alex' });
			expect((await rawDatasets(db.config)).map((d) => d.name)).toEqual(['news', 'news-alex']);
		});

		it('names an unnamed session by its start time, like db-in', async () => {
			const result = await store.addExamples('news', [{ text: 'a' }], { session: true, defaultAnswer: 'accept', now: NOW });
			expect(result.sessionDataset).toBe('2024-05-17_09-03-07');
			expect((await rawDatasets(db.config)).map((d) => [d.name, d.session])).toEqual([
				['news', false],
				['2024-05-17_09-03-07', true],
			]);
			expect((await rawLinks(db.config)).map((l) => l.dataset)).toEqual(['news', '2024-05-17_09-03-07']);
		});

		it('creates no session dataset when nothing is linked (empty batch, or every task a duplicate)', async () => {
			const empty = await store.addExamples('news', [], { session: true, now: NOW });
			expect(empty.sessionDataset).toBeUndefined();
			await store.addExamples('news', [{ text: 'a' }]);
			const duplicates = await store.addExamples('news', [{ text: 'a' }], { session: 'alex', dedupe: 'task', now: NOW });
			expect(duplicates).toMatchObject({ added: 0, skipped: 1 });
			expect(duplicates.sessionDataset).toBeUndefined();
			expect((await rawDatasets(db.config)).map((d) => [d.name, d.session])).toEqual([['news', false]]);
			// Once something is linked the session dataset appears, and a later batch reuses it.
			await store.addExamples('news', [{ text: 'b' }], { session: 'alex', now: NOW });
			await store.addExamples('news', [{ text: 'b' }], { session: 'alex', dedupe: 'task', now: NOW });
			expect((await rawDatasets(db.config)).map((d) => [d.name, d.session])).toEqual([
				['news', false],
				['news-alex', true],
			]);
		});

		it.each(['input', 'task'] as const)('dedupes by %s hash against the dataset and within the batch', async (mode) => {
			await store.addExamples('news', [{ text: 'a', label: 'X' }]);
			await store.addExamples('other', [{ text: 'b', label: 'X' }]); // another dataset does not count
			const result = await store.addExamples(
				'news',
				[
					{ text: 'a', label: 'X' }, // same input and task as stored
					{ text: 'a', label: 'Y' }, // same input, new task
					{ text: 'b', label: 'X' },
					{ text: 'b', label: 'X' }, // repeats the batch
				],
				{ dedupe: mode, session: 'alex' },
			);
			const expected = mode === 'input' ? [true, true, false, true] : [true, false, false, true];
			expect(result.examples.map((e) => e.duplicate)).toEqual(expected);
			expect(result.added).toBe(expected.filter((d) => !d).length);
			expect(result.skipped).toBe(expected.filter((d) => d).length);
			for (const [i, example] of result.examples.entries()) {
				if (expected[i]) expect([example.exampleId, example.linkId]).toEqual([null, null]);
				else expect(example.exampleId).toEqual(expect.any(Number));
			}
			expect(await store.countExamples('news')).toBe(1 + result.added);
			expect(await store.countExamples('news-alex')).toBe(result.added);
		});

		it('never dedupes by default, like Prodigy', async () => {
			const result = await store.addExamples('news', [{ text: 'a' }, { text: 'a' }]);
			expect(result.examples.map((e) => e.duplicate)).toEqual([false, false]);
			expect(await rowCounts(db.config)).toEqual({ dataset: 1, example: 2, link: 2 });
		});

		it('maps ids right across many statements (small batch size)', async () => {
			const tasks = Array.from({ length: 23 }, (_, i) => ({ text: `task ${i}`, n: i }));
			const result = await store.addExamples('news', tasks, { rowsPerInsert: 4, session: 'bea' });
			const examples = new Map((await rawExamples(db.config)).map((row) => [row.id, row.content]));
			const links = new Map((await rawLinks(db.config)).map((link) => [link.id, link]));
			for (const [i, added] of result.examples.entries()) {
				expect(JSON.parse(examples.get(added.exampleId as number) as string)).toMatchObject({ n: i });
				expect(links.get(added.linkId as number)).toEqual({ id: added.linkId, exampleId: added.exampleId, dataset: 'news' });
			}
			expect(links.size).toBe(46);
		});

		it('uses datasetMeta for a dataset it creates, and refuses a missing one when told not to create', async () => {
			await store.addExamples('news', [{ text: 'a' }], { datasetMeta: { description: 'From n8n' } });
			expect((await store.getDataset('news'))?.meta).toEqual({ description: 'From n8n' });
			await expect(store.addExamples('missing', [{ text: 'a' }], { createDataset: false })).rejects.toThrow(DatasetNotFoundError);
			expect(await rowCounts(db.config)).toEqual({ dataset: 1, example: 1, link: 1 });
		});

		it('refuses a non-object task with its index and writes nothing', async () => {
			await store.addExamples('news', [{ text: 'a' }]);
			for (const bad of ['text', null, [1, 2], 42]) {
				const error = await store.addExamples('news', [{ text: 'b' }, bad as unknown as Task, { text: 'c' }], { session: 'alex' }).catch((e: unknown) => e);
				expect(error).toBeInstanceOf(InvalidTaskError);
				expect((error as InvalidTaskError).index).toBe(1);
				expect((error as Error).message).toMatch(/Task 1/);
			}
			const badHash = await store.addExamples('news', [{ text: 'b' }, { text: 'c', _input_hash: 'abc' }]).catch((e: unknown) => e);
			expect(badHash).toBeInstanceOf(InvalidTaskError);
			expect((badHash as InvalidTaskError).index).toBe(1);
			await expect(store.addExamples('news', [{ text: 'b' }], { dedupe: 'exact' as never })).rejects.toThrow(ProdigyInputError);
			expect(await rowCounts(db.config)).toEqual({ dataset: 1, example: 1, link: 1 });
		});

		it('writes nothing, not even the schema, when the first call has bad input', async () => {
			await expect(store.addExamples('news', [{ text: 'a' }, 'b' as never])).rejects.toThrow(InvalidTaskError);
			// SQLite: not even the file (a read of a missing file says so instead of answering "no schema").
			if (db.config.type === 'sqlite') expect(existsSync(db.config.path)).toBe(false);
			else expect(await store.hasSchema()).toBe(false);
			expect(await rowCounts(db.config)).toBeNull();
		});

		it('stores tasks parsed losslessly exactly (floats stay floats, big integers stay exact)', async () => {
			const line = '{"text":"x","score":10.0,"meta":{"big":12345678901234567890,"f":1e-05}}';
			const result = await store.addExamples('news', [parseJsonLossless(line) as Task]);
			const [row] = await rawExamples(db.config);
			expect(row.content).toBe(`${line.slice(0, -1)},"_input_hash":${result.examples[0].inputHash},"_task_hash":${result.examples[0].taskHash}}`);
			const [record] = await collect(store.getExamples('news'));
			expect(stringifyTask(record.task)).toBe(row.content);
			expect(record.raw).toBe(row.content);
		});

		it('handles an empty batch by creating the dataset only', async () => {
			const result = await store.addExamples('news', []);
			expect(result).toEqual({ dataset: 'news', datasetCreated: true, added: 0, skipped: 0, examples: [] });
			expect(await rowCounts(db.config)).toEqual({ dataset: 1, example: 0, link: 0 });
		});

		it('gives concurrent writers their own ids', async () => {
			const writers = Array.from({ length: 4 }, () => openStore(db.config));
			try {
				await store.createDataset('news');
				const results = await Promise.all(
					writers.map((writer, w) =>
						writer.addExamples('news', Array.from({ length: 60 }, (_, i) => ({ text: `w${w} t${i}`, w, i })), { rowsPerInsert: 7, session: `w${w}` }),
					),
				);
				const examples = new Map((await rawExamples(db.config)).map((row) => [row.id, JSON.parse(row.content) as Task]));
				const links = new Map((await rawLinks(db.config)).map((link) => [link.id, link]));
				expect(examples.size).toBe(240);
				results.forEach((result, w) =>
					result.examples.forEach((added, i) => {
						expect(examples.get(added.exampleId as number)).toMatchObject({ w, i });
						expect(links.get(added.linkId as number)).toEqual({ id: added.linkId, exampleId: added.exampleId, dataset: 'news' });
					}),
				);
			} finally {
				await Promise.all(writers.map((writer) => writer.close()));
			}
		});
	});

	describe('reading', () => {
		async function seed() {
			await store.addExamples(
				'news',
				[
					{ text: 'a', answer: 'accept', _timestamp: 100 },
					{ text: 'b', answer: 'reject', flagged: true, _timestamp: 300 },
				],
				{ session: 'alex' },
			);
			await store.addExamples('news', [{ text: 'c', answer: 'ignore', _session_id: 'news-bea', _annotator_id: 'news-bea', _timestamp: 200 }]);
			await store.addExamples('news', [{ text: 'd' }, { text: 'e', answer: 'accept', flagged: false }]);
			await store.addExamples('other', [{ text: 'z', answer: 'accept' }]);
		}

		it('streams a dataset in link order with its rows as stored', async () => {
			await seed();
			const records = await collect(store.getExamples('news'));
			expect(records.map((r) => r.task.text)).toEqual(['a', 'b', 'c', 'd', 'e']);
			const ids = linkIds(records);
			expect([...ids].sort((x, y) => x - y)).toEqual(ids);
			const rows = await rawExamples(db.config);
			for (const record of records) {
				const row = rows.find((r) => r.id === record.exampleId);
				expect(record.raw).toBe(row?.content);
				expect([record.inputHash, record.taskHash]).toEqual([row?.inputHash, row?.taskHash]);
				expect(record.dataset).toBe('news');
				expect(record.datasetId).toBe((await store.getDataset('news'))?.id);
			}
			await expect(collect(store.getExamples('missing'))).rejects.toThrow(DatasetNotFoundError);
		});

		it('fails a read on a row that is not a JSON object, naming it, and reads what Python writes (NaN, 1.0) as it is, with tasks parsed at once or on use', async () => {
			const { id: datasetId } = await store.createDataset('odd');
			const link = (content: string) => linkRawContent(db.config, datasetId, content);
			await link('{"text":"a","score":NaN,"w":1.0}');
			for (const parseTasks of [true, false]) {
				const [record] = await collect(store.getExamples('odd', { parseTasks }));
				expect(record.raw).toBe('{"text":"a","score":NaN,"w":1.0}');
				expect(Number.isNaN(record.task.score)).toBe(true);
				expect(record.task.w).toBeInstanceOf(PyFloat);
			}
			// Truncated content (what a non-strict MySQL does to an oversized BLOB) fails every read, Export's included,
			// which writes `raw` and never touches `task`.
			const truncated = await link('{"text":"b","spans":[{"start":0');
			for (const parseTasks of [true, false]) {
				await expect(collect(store.getExamples('odd', { parseTasks }))).rejects.toThrow(`Example ${truncated} (dataset id ${datasetId}) does not hold valid JSON`);
			}
			await rawQuery(db.config, `DELETE FROM link WHERE example_id = ${truncated}`);
			const array = await link('["text"]');
			for (const parseTasks of [true, false]) {
				await expect(collect(store.getExamples('odd', { parseTasks }))).rejects.toThrow(`Example ${array} (dataset id ${datasetId}) does not hold a JSON object`);
			}
		});

		it('filters by answer, flagged, session, link range and limit', async () => {
			await seed();
			const texts = async (options: Parameters<ProdigyStore['getExamples']>[1]) => (await collect(store.getExamples('news', options))).map((r) => r.task.text);
			expect(await texts({ answer: 'accept' })).toEqual(['a', 'e']);
			expect(await texts({ answer: ['reject', 'ignore'] })).toEqual(['b', 'c']);
			expect(await texts({ flagged: true })).toEqual(['b']);
			expect(await texts({ flagged: false })).toEqual(['a', 'c', 'd', 'e']);
			expect(await texts({ session: 'news-alex' })).toEqual(['a', 'b']); // linked to the session dataset
			expect(await texts({ session: 'news-bea' })).toEqual(['c']); // by _session_id, no session dataset
			expect(await texts({ session: 'news-nobody' })).toEqual([]);
			const all = await collect(store.getExamples('news'));
			expect(await texts({ afterLinkId: all[1].linkId })).toEqual(['c', 'd', 'e']);
			expect(await texts({ upToLinkId: all[2].linkId })).toEqual(['a', 'b', 'c']);
			expect(await texts({ afterLinkId: all[0].linkId, upToLinkId: all[3].linkId, answer: 'reject' })).toEqual(['b']);
			expect(await texts({ limit: 2 })).toEqual(['a', 'b']);
			expect(await texts({ limit: 1, answer: 'accept', afterLinkId: all[0].linkId })).toEqual(['e']);
			expect(await texts({ limit: 0 })).toEqual([]);
			expect(await texts({ pageSize: 1, answer: 'accept' })).toEqual(['a', 'e']);
		});

		it('counts, with and without filters', async () => {
			await seed();
			const all = await collect(store.getExamples('news'));
			expect(await store.countExamples('news')).toBe(5);
			expect(await store.countExamples('news', { answer: 'accept' })).toBe(2);
			expect(await store.countExamples('news', { session: 'news-alex' })).toBe(2);
			expect(await store.countExamples('news', { afterLinkId: all[2].linkId })).toBe(2);
			expect(await store.countExamples('news', { upToLinkId: all[2].linkId, limit: 2 })).toBe(2);
			expect(await store.countExamples('news-alex')).toBe(2);
			await expect(store.countExamples('missing')).rejects.toThrow(DatasetNotFoundError);
		});

		it('computes stats by answer, session and annotator', async () => {
			await seed();
			const all = await collect(store.getExamples('news'));
			const stats = await store.getStats('news');
			expect(stats).toMatchObject({
				dataset: 'news',
				total: 5,
				accept: 2,
				reject: 1,
				ignore: 1,
				none: 1,
				flagged: 1,
				firstTimestamp: 100,
				lastTimestamp: 300,
				acceptRate: 2 / 3,
				minLinkId: all[0].linkId,
				maxLinkId: all[4].linkId,
			});
			expect(stats.sessions).toEqual([
				{ session: 'news-alex', annotator: null, total: 2, accept: 1, reject: 1, ignore: 0, none: 0, flagged: 1, firstTimestamp: 100, lastTimestamp: 300 },
				{ session: 'news-bea', annotator: 'news-bea', total: 1, accept: 0, reject: 0, ignore: 1, none: 0, flagged: 0, firstTimestamp: 200, lastTimestamp: 200 },
			]);
			const empty = await store.createDataset('empty');
			expect(await store.getStats('empty')).toMatchObject({ total: 0, acceptRate: null, minLinkId: null, maxLinkId: null, sessions: [], created: empty.created });
		});

		it('lists the session datasets of a dataset', async () => {
			await seed();
			await store.createDataset('news-carl', {}, { session: true }); // a session that saved nothing yet
			await store.addExamples('other', [{ text: 'q' }], { session: 'alex' });
			const sessions = await store.listSessions('news');
			expect(sessions.map((s) => [s.name, s.session, s.examples])).toEqual([
				['news-alex', true, 2],
				['news-carl', true, 0],
			]);
			expect((await store.listSessions('news', { afterId: sessions[0].id })).map((s) => s.name)).toEqual(['news-carl']);
			expect((await store.listSessions('other')).map((s) => s.name)).toEqual(['other-alex']);
			await expect(store.listSessions('missing')).rejects.toThrow(DatasetNotFoundError);
		});

		it('gives the highest link id overall or per dataset', async () => {
			// An empty database (SQLite: an empty file, as `touch prodigy.db` leaves it).
			if (db.config.type === 'sqlite') writeFileSync(db.config.path, '');
			expect(await store.maxLinkId()).toBe(0);
			await seed();
			const links = await rawLinks(db.config);
			expect(await store.maxLinkId()).toBe(links[links.length - 1].id);
			expect(await store.maxLinkId(['news'])).toBe(Math.max(...links.filter((l) => l.dataset === 'news').map((l) => l.id)));
			expect(await store.maxLinkId(['news-alex', 'news'])).toBe(Math.max(...links.filter((l) => l.dataset.startsWith('news')).map((l) => l.id)));
			expect(await store.maxLinkId([])).toBe(0);
			await expect(store.maxLinkId(['missing'])).rejects.toThrow(DatasetNotFoundError);
		});
	});

	describe('dropDataset', () => {
		it('deletes links and the dataset, and only the examples no other dataset holds', async () => {
			const inSession = await store.addExamples('news', [{ text: 'a' }, { text: 'b' }], { session: 'alex' });
			const alone = await store.addExamples('news', [{ text: 'c' }]);
			const shared = await store.addExamples('other', [{ text: 'o' }]);
			await store.mergeDatasets(['other'], 'news');

			const result = await store.dropDataset('news');
			expect(result).toEqual({ deleted: true, linksDeleted: 4, examplesDeleted: 1 });
			expect(await store.getDataset('news')).toBeNull();
			const remaining = (await rawExamples(db.config)).map((row) => row.id);
			expect(remaining).toEqual([...inSession.examples.map((e) => e.exampleId), shared.examples[0].exampleId]);
			expect(remaining).not.toContain(alone.examples[0].exampleId);
			expect((await rawLinks(db.config)).map((l) => l.dataset)).toEqual(['news-alex', 'news-alex', 'other']);
			// The session still serves its examples.
			expect((await collect(store.getExamples('news-alex'))).map((r) => r.task.text)).toEqual(['a', 'b']);

			expect(await store.dropDataset('news-alex')).toEqual({ deleted: true, linksDeleted: 2, examplesDeleted: 2 });
			expect(await rowCounts(db.config)).toEqual({ dataset: 1, example: 1, link: 1 });
			await expect(store.dropDataset('news')).rejects.toThrow(DatasetNotFoundError);
		});

		it('drops a large dataset in one go', async () => {
			await store.addExamples('big', Array.from({ length: 1234 }, (_, i) => ({ text: `t${i}` })));
			await store.addExamples('keep', [{ text: 'k' }]);
			expect(await store.dropDataset('big')).toEqual({ deleted: true, linksDeleted: 1234, examplesDeleted: 1234 });
			expect(await rowCounts(db.config)).toEqual({ dataset: 1, example: 1, link: 1 });
		});
	});

	describe('mergeDatasets', () => {
		it('links the examples of the sources into the target, each example once', async () => {
			const a = await store.addExamples('a', [{ text: 'x', answer: 'accept' }, { text: 'y', answer: 'reject' }], { session: 'alex' });
			const b = await store.addExamples('b', [{ text: 'x', answer: 'accept' }]);
			const merged = await store.mergeDatasets(['a', 'a-alex', 'b'], 'all');
			expect(merged).toEqual({ linked: 3, skipped: 2, datasetCreated: true });
			const records = await collect(store.getExamples('all'));
			expect(records.map((r) => r.exampleId)).toEqual([...a.examples.map((e) => e.exampleId), b.examples[0].exampleId]);
			expect(await rowCounts(db.config)).toMatchObject({ example: 3 }); // links only, no new rows
			// Merging again links nothing new.
			expect(await store.mergeDatasets(['a'], 'all', { createDataset: false })).toEqual({ linked: 0, skipped: 2, datasetCreated: false });
		});

		it('dedupes by task hash when asked', async () => {
			await store.addExamples('a', [{ text: 'x', answer: 'accept' }]);
			await store.addExamples('b', [{ text: 'x', answer: 'reject' }, { text: 'y' }]);
			expect(await store.mergeDatasets(['a', 'b'], 'all', { dedupe: 'task' })).toEqual({ linked: 2, skipped: 1, datasetCreated: true });
			expect((await collect(store.getExamples('all'))).map((r) => r.task.text)).toEqual(['x', 'y']);
		});

		it('rehashes into new example rows, leaving the originals untouched', async () => {
			const source = await store.addExamples('a', [{ text: 'x', options: [{ id: 1, text: 'A' }], accept: [1], answer: 'accept' }]);
			const before = await rawExamples(db.config);
			const review = { inputKeys: ['text', 'image', 'html', 'options', 'audio', 'video'], taskKeys: ['spans', 'label', 'accept', 'audio_spans', 'relations'] };
			expect(await store.mergeDatasets(['a'], 'reviewed', { rehash: review })).toEqual({ linked: 1, skipped: 0, datasetCreated: true });
			const after = await rawExamples(db.config);
			expect(after.slice(0, 1)).toEqual(before);
			expect(after).toHaveLength(2);
			const expected = setHashes(source.examples[0].task, { ...review, overwrite: true });
			expect([after[1].inputHash, after[1].taskHash]).toEqual([expected._input_hash, expected._task_hash]);
			expect(JSON.parse(after[1].content)).toMatchObject({ _input_hash: expected._input_hash, _task_hash: expected._task_hash });
			expect(after[1].inputHash).not.toBe(before[0].inputHash);
		});

		it('refuses bad requests and rolls back a failed merge', async () => {
			await store.addExamples('a', [{ text: 'x' }]);
			await expect(store.mergeDatasets(['a'], 'a')).rejects.toThrow(ProdigyInputError);
			await expect(store.mergeDatasets([], 'all')).rejects.toThrow(ProdigyInputError);
			await expect(store.mergeDatasets(['a', 'missing'], 'all')).rejects.toThrow(DatasetNotFoundError);
			await expect(store.mergeDatasets(['a'], 'all', { createDataset: false })).rejects.toThrow(DatasetNotFoundError);
			// An example whose content is not JSON fails the rehash after the target was created: all rolled back.
			const [{ id: datasetId }] = await rawQuery(db.config, "SELECT id FROM dataset WHERE name = 'a'");
			await linkRawContent(db.config, Number(datasetId), 'not json');
			const counts = await rowCounts(db.config);
			await expect(store.mergeDatasets(['a'], 'all', { rehash: {} })).rejects.toThrow(/does not hold valid JSON/);
			expect(await rowCounts(db.config)).toEqual(counts);
			expect(await store.getDataset('all')).toBeNull();
		});
	});

	describe('removeExamples', () => {
		it('unlinks by hashes or ids from this dataset only, deleting examples nothing links any more', async () => {
			const added = await store.addExamples('news', [{ text: 'a' }, { text: 'b' }, { text: 'c' }, { text: 'd' }], { session: 'alex' });
			await store.addExamples('news', [{ text: 'e' }]);
			const [a, b, c] = added.examples;
			const byInput = await store.removeExamples('news', { inputHashes: [a.inputHash] });
			expect(byInput).toEqual({ unlinked: 1, examplesDeleted: 0 }); // the session still holds it
			expect(await store.removeExamples('news', { taskHashes: [b.taskHash], exampleIds: [c.exampleId as number] })).toEqual({
				unlinked: 2,
				examplesDeleted: 0,
			});
			const e = (await collect(store.getExamples('news'))).find((r) => r.task.text === 'e');
			expect(await store.removeExamples('news', { exampleIds: [e?.exampleId as number] })).toEqual({ unlinked: 1, examplesDeleted: 1 });
			expect((await collect(store.getExamples('news'))).map((r) => r.task.text)).toEqual(['d']);
			expect((await collect(store.getExamples('news-alex'))).map((r) => r.task.text)).toEqual(['a', 'b', 'c', 'd']);
			expect(await store.removeExamples('news', {})).toEqual({ unlinked: 0, examplesDeleted: 0 });
			await expect(store.removeExamples('missing', { exampleIds: [1] })).rejects.toThrow(DatasetNotFoundError);
			await expect(store.removeExamples('news', { exampleIds: ['x' as never] })).rejects.toThrow(ProdigyInputError);
		});
	});

	it('reads content whatever form the driver gives it', async () => {
		await store.addExamples('news', [{ text: 'é' }]);
		const [row] = await rawQuery(db.config, 'SELECT content FROM example');
		expect(text(row.content)).toMatch(/^\{"text":"é",/);
		if (backend === 'sqlite') {
			// SQLite keeps whatever type was written: other tools may store content and meta as TEXT.
			await rawQuery(db.config, "INSERT INTO dataset (name, created, meta, session) VALUES ('texty', '1700000000', '{\"a\": 1}', '1')");
			await rawQuery(db.config, 'INSERT INTO example (input_hash, task_hash, content) VALUES (5, 6, \'{"text": "plain"}\')');
			await rawQuery(db.config, "INSERT INTO link (example_id, dataset_id) VALUES (2, (SELECT id FROM dataset WHERE name = 'texty'))");
			expect(await store.getDataset('texty')).toMatchObject({ created: 1700000000, meta: { a: 1 }, session: true });
			const [record] = await collect(store.getExamples('texty'));
			expect(record).toMatchObject({ exampleId: 2, inputHash: 5, taskHash: 6, raw: '{"text": "plain"}', task: { text: 'plain' } });
		}
	});
});
