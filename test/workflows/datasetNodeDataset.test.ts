// Prodigy Dataset node, Dataset resource, run as workflows through n8n-core against real SQLite, PostgreSQL and
// MariaDB databases, checking the dataset / link rows as Prodigy reads them.
import { writeFileSync } from 'node:fs';
import type { IDataObject } from 'n8n-workflow';

import type { StoreConfig } from '../../lib/store/types';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../helpers/databases';
import { byName, datasetRow, hasSchema, NODE, rowCount, runNode, runOk, storedExamples } from './datasetNode.helpers';

const dataset = (operation: string, extra: IDataObject = {}) => ({ resource: 'dataset', operation, ...extra });

describe.each(BACKENDS)('Prodigy Dataset node: datasets on %s', (backend) => {
	let db: TestDatabase;
	let config: StoreConfig;

	beforeAll(async () => {
		db = await createTestDatabase(backend);
		config = db.config;
	});
	afterAll(async () => await db?.cleanup());

	it('lists nothing on an empty database without creating tables', async () => {
		// Prodigy's file exists (an empty one): a read on a path with no file at all is an error (sqlite-missing-file.test.ts).
		if (config.type === 'sqlite') writeFileSync(config.path, '');
		const output = await runOk(config, dataset('getAll', { returnAll: true }));
		expect(output).toEqual([]);
		expect(await hasSchema(config)).toBe(false);
	});

	it('creates a dataset with Prodigy\'s meta, and refuses a taken or invalid name', async () => {
		const before = Math.floor(Date.now() / 1000);
		const [item] = await runOk(
			config,
			dataset('create', {
				name: 'ner_news',
				options: { description: 'News entities', author: 'Ines', customMeta: '{"project": "press", "version": 2}' },
			}),
		);
		expect(item.json).toMatchObject({
			name: 'ner_news',
			session: false,
			meta: { project: 'press', version: 2, description: 'News entities', author: 'Ines' },
			alreadyExisted: false,
		});
		const row = await datasetRow(config, 'ner_news');
		expect(row?.meta).toEqual({ project: 'press', version: 2, description: 'News entities', author: 'Ines' });
		expect(row?.created).toBeGreaterThanOrEqual(before);
		expect(row?.session).toBe(false);
		expect(item.json.createdAt).toBe(new Date(row!.created * 1000).toISOString());

		const again = await runNode(config, dataset('create', { name: 'ner_news' }));
		expect(again.status).toBe('error');
		expect(again.error?.message).toBe('Dataset "ner_news" already exists');
		const existing = await runOk(config, dataset('create', { name: 'ner_news', options: { ifExists: 'returnExisting' } }));
		expect(existing[0].json).toMatchObject({ id: row!.id, alreadyExisted: true });

		const invalid = await runNode(config, dataset('create', { name: 'has space' }), { continueOnFail: true });
		expect(invalid.json(NODE)).toEqual([{ error: expect.stringMatching(/^Invalid dataset name "has space"/) }]);
		expect(await datasetRow(config, 'has space')).toBeNull();
	});

	it('creates nothing when one of several items has an invalid name and continue-on-fail is off', async () => {
		const run = await runNode(config, dataset('create', { name: '={{ $json.name }}' }), { items: [{ name: 'first_good' }, { name: 'bad name' }] });
		expect(run.status).toBe('error');
		expect(run.error?.message).toMatch(/^Invalid dataset name "bad name"/);
		expect(await datasetRow(config, 'first_good')).toBeNull();
	});

	it('gets a dataset with counts, and fails clearly on an unknown one', async () => {
		await runOk(config, { resource: 'example', operation: 'add', dataset: byName('counted'), options: { session: 'named', sessionName: 'alex' } }, {
			items: [{ text: 'a' }, { text: 'b' }],
		});
		const [item] = await runOk(config, dataset('get', { dataset: byName('counted') }));
		expect(item.json).toMatchObject({ name: 'counted', examples: 2, sessions: 1, session: false });

		const missing = await runNode(config, dataset('get', { dataset: byName('missing') }), { items: [{}, {}], continueOnFail: true });
		expect(missing.output(NODE)).toEqual([
			{ json: { error: 'Dataset "missing" does not exist' }, pairedItem: { item: 0 } },
			{ json: { error: 'Dataset "missing" does not exist' }, pairedItem: { item: 1 } },
		]);
	});

	it('lists datasets with name filter, session datasets on request, and a limit', async () => {
		const names = async (extra: IDataObject) => (await runOk(config, dataset('getAll', extra))).map((item) => item.json.name);
		expect(await names({ returnAll: true })).toEqual(['ner_news', 'counted']);
		expect(await names({ returnAll: true, filters: { includeSessions: true } })).toEqual(['ner_news', 'counted', 'counted-alex']);
		expect(await names({ returnAll: true, filters: { nameContains: 'NEWS' } })).toEqual(['ner_news']);
		expect(await names({ limit: 1 })).toEqual(['ner_news']);
	});

	it('merges meta fields, keeping the ones it does not set', async () => {
		const [item] = await runOk(
			config,
			dataset('updateMeta', { dataset: byName('ner_news'), updateFields: { author: 'Matt', customMeta: '{"status": "review"}' } }),
		);
		const expected = { project: 'press', version: 2, description: 'News entities', author: 'Matt', status: 'review' };
		expect(item.json.meta).toEqual(expected);
		expect((await datasetRow(config, 'ner_news'))?.meta).toEqual(expected);
		const nothing = await runNode(config, dataset('updateMeta', { dataset: byName('ner_news') }));
		expect(nothing.error?.message).toBe('Nothing to update');
	});

	it('gets stats: answers, flags, accept rate, sessions and annotators', async () => {
		const ts = 1_700_000_000;
		await runOk(config, { resource: 'example', operation: 'add', dataset: byName('stats'), options: { session: 'named', sessionName: 'alex' } }, {
			items: [
				{ text: 'a', answer: 'accept', _annotator_id: 'stats-alex', _session_id: 'stats-alex', _timestamp: ts },
				{ text: 'b', answer: 'reject', flagged: true, _annotator_id: 'stats-alex', _session_id: 'stats-alex', _timestamp: ts + 60 },
				{ text: 'c', answer: 'accept', _annotator_id: 'stats-alex', _session_id: 'stats-alex', _timestamp: ts + 120 },
			],
		});
		await runOk(config, { resource: 'example', operation: 'add', dataset: byName('stats'), options: { session: 'named', sessionName: 'sam' } }, {
			items: [{ text: 'a', answer: 'ignore', _annotator_id: 'stats-sam', _session_id: 'stats-sam', _timestamp: ts + 30 }],
		});
		const [item] = await runOk(config, dataset('getStats', { dataset: byName('stats') }));
		const rows = await storedExamples(config, 'stats');
		expect(item.json).toMatchObject({
			dataset: 'stats',
			total: 4,
			accept: 2,
			reject: 1,
			ignore: 1,
			withoutAnswer: 0,
			flagged: 1,
			acceptRate: 2 / 3,
			firstAnnotationAt: new Date(ts * 1000).toISOString(),
			lastAnnotationAt: new Date((ts + 120) * 1000).toISOString(),
			minLinkId: rows[0].linkId,
			maxLinkId: rows[3].linkId,
		});
		expect(item.json.annotators).toEqual([
			{ annotator: 'stats-alex', sessions: 1, total: 3, accept: 2, reject: 1, ignore: 0, flagged: 1 },
			{ annotator: 'stats-sam', sessions: 1, total: 1, accept: 0, reject: 0, ignore: 1, flagged: 0 },
		]);
		expect((item.json.sessions as IDataObject[]).map((session) => session.session)).toEqual(['stats-alex', 'stats-sam']);
	});

	it('merges datasets like db-merge, optionally rehashing for review', async () => {
		const [item] = await runOk(config, dataset('merge', { sources: 'counted, stats', dataset: byName('merged') }));
		expect(item.json).toEqual({ target: 'merged', sources: ['counted', 'stats'], linked: 6, skipped: 0, datasetCreated: true });
		const merged = await storedExamples(config, 'merged');
		const sources = [...(await storedExamples(config, 'counted')), ...(await storedExamples(config, 'stats'))];
		expect(merged.map((row) => row.exampleId)).toEqual(sources.map((row) => row.exampleId));

		const [rehashed] = await runOk(config, dataset('merge', { sources: 'stats', dataset: byName('reviewed'), options: { rehashReview: true } }));
		expect(rehashed.json.linked).toBe(4);
		const reviewRows = await storedExamples(config, 'reviewed');
		for (const row of reviewRows) expect(row.taskHash).toBe(row.task._task_hash);

		const unknown = await runNode(config, dataset('merge', { sources: 'nope', dataset: byName('merged') }));
		expect(unknown.error?.message).toBe('Dataset "nope" does not exist');
		const notCreated = await runNode(config, dataset('merge', { sources: 'stats', dataset: byName('new_target'), options: { createDataset: false } }));
		expect(notCreated.error?.message).toBe('Dataset "new_target" does not exist');
	});

	it('deletes a dataset like prodigy drop: examples a session still holds stay', async () => {
		const examplesBefore = await rowCount(config, 'example');
		// A node whose parameters no longer name the dataset to drop cannot drop it: nothing changes.
		// n8n itself refuses to run a node whose required confirmation is missing; an expression that gives nothing
		// reaches the node, which refuses too.
		await expect(runNode(config, dataset('delete', { dataset: byName('counted') }))).rejects.toThrow('Parameter "Confirm Dataset Name" is required');
		const empty = await runNode(config, dataset('delete', { dataset: byName('counted'), confirmName: '={{ "" }}' }));
		expect(empty.error?.message).toBe('Not dropped: Dataset → Delete drops the whole dataset "counted", and Confirm Dataset Name is empty');
		const mistyped = await runNode(config, dataset('delete', { dataset: byName('counted'), confirmName: 'counted-alex' }));
		expect(mistyped.error?.message).toBe('Not dropped: Confirm Dataset Name reads "counted-alex", not "counted"');
		expect(await datasetRow(config, 'counted')).not.toBeNull();
		expect(await storedExamples(config, 'counted')).toHaveLength(2);

		const [item] = await runOk(config, dataset('delete', { dataset: byName('counted'), confirmName: 'counted' }));
		expect(item.json).toMatchObject({ deleted: true, removed: 'dataset', dataset: 'counted', linksDeleted: 2 });
		expect(item.json.summary).toBe('Dropped the whole dataset counted: 2 links removed, 0 examples that no other dataset held deleted');
		expect(await datasetRow(config, 'counted')).toBeNull();
		// Both examples are still linked to the session dataset counted-alex, so Prodigy keeps them.
		expect(item.json.examplesDeleted).toBe(0);
		expect(await rowCount(config, 'example')).toBe(examplesBefore);
		expect(await storedExamples(config, 'counted-alex')).toHaveLength(2);
		const again = await runNode(config, dataset('delete', { dataset: byName('counted'), confirmName: 'counted' }));
		expect(again.error?.message).toBe('Dataset "counted" does not exist');
	});
});
