// Prodigy Dataset node, Example and Session resources, run as workflows through n8n-core against real SQLite,
// PostgreSQL and MariaDB databases; every write is checked in the rows Prodigy would read.
import type { IDataObject } from 'n8n-workflow';

import { getInputHash, getTaskHash } from '../../lib/hashing';
import type { StoreConfig } from '../../lib/store/types';
import { openStore } from '../../lib/store';
import { BACKENDS, createTestDatabase, rawExec, rawQuery, type TestDatabase } from '../helpers/databases';
import { FaultProxy } from '../helpers/faultProxy';
import { linkRawContent } from '../helpers/rows';
import { byName, datasetRow, NODE, rowCount, runNode, runOk, storedExamples } from './datasetNode.helpers';

const add = (dataset: string, extra: IDataObject = {}) => ({ resource: 'example', operation: 'add', dataset: byName(dataset), ...extra });

describe.each(BACKENDS)('Prodigy Dataset node: examples on %s', (backend) => {
	let db: TestDatabase;
	let config: StoreConfig;

	beforeAll(async () => {
		db = await createTestDatabase(backend);
		config = db.config;
	});
	afterAll(async () => await db?.cleanup());

	describe('Add', () => {
		it('writes whole items with Prodigy hashes, one output per item, and leaves the input items alone', async () => {
			const items = [{ text: 'hi my name is 0' }, { text: 'My name is Freya.', meta: { id: 7 } }];
			const run = await runNode(config, add('whole_items'), { items });
			expect(run.status).toBe('success');
			const output = run.output(NODE);
			expect(output.map((item) => item.json)).toEqual([
				{ dataset: 'whole_items', example_id: expect.any(Number), link_id: expect.any(Number), _input_hash: -784135307, _task_hash: -978533357, duplicate: false, skipped: false },
				{ dataset: 'whole_items', example_id: expect.any(Number), link_id: expect.any(Number), _input_hash: 896529854, _task_hash: expect.any(Number), duplicate: false, skipped: false },
			]);
			expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
			expect(run.json('Items')).toEqual(items);

			const rows = await storedExamples(config, 'whole_items');
			expect(rows.map((row) => row.task)).toEqual([
				{ text: 'hi my name is 0', _input_hash: -784135307, _task_hash: -978533357 },
				{ text: 'My name is Freya.', meta: { id: 7 }, _input_hash: 896529854, _task_hash: output[1].json._task_hash },
			]);
			for (const row of rows) {
				expect(row.inputHash).toBe(row.task._input_hash);
				expect(row.taskHash).toBe(row.task._task_hash);
			}
			expect(rows.map((row) => row.exampleId)).toEqual(output.map((item) => item.json.example_id));
			expect((await datasetRow(config, 'whole_items'))?.session).toBe(false);
		});

		it('validates every item first: without continue-on-fail a bad item stops the run and nothing is written', async () => {
			const run = await runNode(config, add('all_or_nothing'), { items: [{ text: 'fine' }, { title: 'no text here' }, { text: 'also fine' }] });
			expect(run.status).toBe('error');
			expect(run.error?.message).toBe('The task has no "text" (nor image, html, input, audio, video)');
			expect(run.error?.context?.itemIndex).toBe(1);
			expect(await datasetRow(config, 'all_or_nothing')).toBeNull();
			expect(await storedExamples(config, 'all_or_nothing')).toEqual([]);
		});

		it('with continue-on-fail gives the bad item { error } and writes the others', async () => {
			const run = await runNode(config, add('partly_bad'), {
				items: [{ text: 'one' }, { text: '' }, { text: 'three' }],
				continueOnFail: true,
			});
			expect(run.status).toBe('success');
			const output = run.output(NODE);
			expect(output).toHaveLength(3);
			expect(output[1]).toEqual({ json: { error: 'The task has no "text" (nor image, html, input, audio, video)' }, pairedItem: { item: 1 } });
			expect(output[2].pairedItem).toEqual({ item: 2 });
			expect((await storedExamples(config, 'partly_bad')).map((row) => row.task.text)).toEqual(['one', 'three']);
		});

		it('reads a JSONL file losslessly: floats keep their ".0", one output item per task', async () => {
			const file = '{"text":"Apple buys","label":"ORG","meta":{"score":10.0}}\n\n{"text":"b","_input_hash":5,"_task_hash":6}\n';
			const run = await runNode(config, add('from_file', { inputMode: 'file' }), {
				binary: { data: { text: file, fileName: 'tasks.jsonl', mimeType: 'application/jsonl' } },
			});
			expect(run.status).toBe('success');
			const output = run.output(NODE);
			expect(output.map((item) => [item.json._input_hash, item.json._task_hash, item.pairedItem])).toEqual([
				[expect.any(Number), expect.any(Number), { item: 0 }],
				[5, 6, { item: 0 }],
			]);
			const rows = await storedExamples(config, 'from_file');
			expect(rows[0].content).toContain('"meta":{"score":10.0}');
			expect(rows[1]).toMatchObject({ inputHash: 5, taskHash: 6 });
		});

		it('reads a JSON array file', async () => {
			const output = await runOk(config, add('from_json', { inputMode: 'file', binaryPropertyName: 'upload' }), {
				binary: { upload: { text: '[{"text":"x"},{"text":"y"}]', fileName: 'tasks.json' } },
			});
			expect(output).toHaveLength(2);
			expect((await storedExamples(config, 'from_json')).map((row) => row.task.text)).toEqual(['x', 'y']);
		});

		it('names the file and line of invalid JSONL and writes nothing', async () => {
			const run = await runNode(config, add('bad_file', { inputMode: 'file' }), {
				binary: { data: { text: '{"text":"ok"}\n\n{"text": oops}\n', fileName: 'events.jsonl', mimeType: 'application/jsonl' } },
			});
			expect(run.status).toBe('error');
			expect(run.error?.message).toMatch(/^events\.jsonl: Invalid JSON on line 3: /);
			expect(await datasetRow(config, 'bad_file')).toBeNull();
		});

		it('names the line of a task without content in a file', async () => {
			const run = await runNode(config, add('bad_task_file', { inputMode: 'file' }), {
				binary: { data: { text: '{"text":"ok"}\n\n\n{"label":"x"}\n', fileName: 'events.jsonl', mimeType: 'application/jsonl' } },
				continueOnFail: true,
			});
			expect(run.json(NODE)).toEqual([{ error: 'events.jsonl line 4: The task has no "text" (nor image, html, input, audio, video)' }]);
			expect(await datasetRow(config, 'bad_task_file')).toBeNull();
		});

		it('builds tasks from mapped fields and normalises meta (task values win by default)', async () => {
			const parameters = add('mapped', {
				inputMode: 'fields',
				contentField: 'text',
				content: '={{ $json.body }}',
				label: 'COMPLAINT',
				spans: '[{"start":0,"end":5,"label":"ORG"}]',
				metaFields: { field: [{ name: 'ticket', value: '={{ $json.id }}' }, { name: 'region', value: 'from-item' }] },
				options: { source: 'zendesk', region: 'eu', fixedMeta: { field: [{ name: 'batch', value: 'b1' }] } },
			});
			await runOk(config, parameters, { items: [{ body: 'Apple is late', id: 'T-1' }] });
			const [row] = await storedExamples(config, 'mapped');
			expect(row.task).toEqual({
				text: 'Apple is late',
				label: 'COMPLAINT',
				spans: [{ start: 0, end: 5, label: 'ORG' }],
				meta: { batch: 'b1', source: 'zendesk', region: 'from-item', ticket: 'T-1' },
				_input_hash: row.inputHash,
				_task_hash: row.taskHash,
			});

			await runOk(config, { ...parameters, options: { region: 'eu', metaPrecedence: 'node' } }, { items: [{ body: 'Second', id: 'T-2' }] });
			expect((await storedExamples(config, 'mapped'))[1].task.meta).toEqual({ ticket: 'T-2', region: 'eu' });
		});

		it('a second press of Execute adds nothing on a node added today (version 1.1: Skip Duplicates defaults to Same Question)', async () => {
			const items = [{ text: 'first' }, { text: 'second', label: 'X' }];
			const first = await runOk(config, add('pressed_twice'), { items, typeVersion: 1.1 });
			expect(first.map((item) => [item.json.duplicate, item.json.skipped])).toEqual([[false, false], [false, false]]);
			const second = await runOk(config, add('pressed_twice'), { items, typeVersion: 1.1 });
			expect(second.map((item) => [item.json.duplicate, item.json.skipped, item.json.example_id])).toEqual([
				[true, true, null],
				[true, true, null],
			]);
			expect((await storedExamples(config, 'pressed_twice')).length).toBe(2);
			// The same input asked another way is a new question, and is added.
			const other = await runOk(config, add('pressed_twice'), { items: [{ text: 'first', label: 'Y' }], typeVersion: 1.1 });
			expect(other[0].json.skipped).toBe(false);
			expect((await storedExamples(config, 'pressed_twice')).length).toBe(3);
		});

		it('a saved version-1 node keeps adding every task, and says which were already there (duplicate: true, skipped: false)', async () => {
			const items = [{ text: 'again' }, { text: 'again' }];
			const first = await runOk(config, add('saved_v1'), { items });
			expect(first.map((item) => [item.json.duplicate, item.json.skipped])).toEqual([[false, false], [true, false]]);
			const second = await runOk(config, add('saved_v1'), { items: [{ text: 'again' }, { text: 'new' }] });
			expect(second.map((item) => [item.json.duplicate, item.json.skipped])).toEqual([[true, false], [false, false]]);
			expect(second[0].json.example_id).toEqual(expect.any(Number));
			expect((await storedExamples(config, 'saved_v1')).length).toBe(4);
			// Version 1.1 with No chosen behaves the same.
			const none = await runOk(config, add('saved_v1', { dedupe: 'none' }), { items: [{ text: 'new' }], typeVersion: 1.1 });
			expect(none.map((item) => [item.json.duplicate, item.json.skipped])).toEqual([[true, false]]);
			expect((await storedExamples(config, 'saved_v1')).length).toBe(5);
		});

		it('dedupes across batches, sets the default answer and links a named session', async () => {
			const items = [{ text: 'a' }, { text: 'b' }, { text: 'a', label: 'X' }, { text: 'c', answer: 'reject' }, { text: 'b' }];
			const output = await runOk(
				config,
				add('deduped', { options: { batchSize: 2, dedupe: 'input', defaultAnswer: 'accept', session: 'named', sessionName: 'alex' } }),
				{ items },
			);
			expect(output.map((item) => item.json.duplicate)).toEqual([false, false, true, false, true]);
			expect(output[2].json.example_id).toBeNull();
			expect(output[0].json.session_dataset).toBe('deduped-alex');
			const rows = await storedExamples(config, 'deduped');
			expect(rows.map((row) => [row.task.text, row.task.answer])).toEqual([
				['a', 'accept'],
				['b', 'accept'],
				['c', 'reject'],
			]);
			const session = await datasetRow(config, 'deduped-alex');
			expect(session?.session).toBe(true);
			expect((await storedExamples(config, 'deduped-alex')).map((row) => row.exampleId)).toEqual(rows.map((row) => row.exampleId));
		});

		it('puts every batch of a run into the same timestamped session, and outputs the stored task on request', async () => {
			const output = await runOk(config, add('timestamped', { options: { batchSize: 1, session: 'timestamped', includeTask: true } }), {
				items: [{ text: 'a' }, { text: 'b' }, { text: 'c' }],
			});
			const sessions = new Set(output.map((item) => item.json.session_dataset));
			expect(sessions.size).toBe(1);
			const [session] = [...sessions] as string[];
			expect(session).toMatch(/^\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d$/);
			expect(await storedExamples(config, session)).toHaveLength(3);
			expect(output[0].json.task).toEqual({ text: 'a', _input_hash: output[0].json._input_hash, _task_hash: output[0].json._task_hash });
		});

		it('recomputes carried hashes only when asked, and supports the review preset', async () => {
			const carried = { text: 'hi my name is 0', label: 'foo', _input_hash: 1, _task_hash: 2 };
			const kept = await runOk(config, add('rehash'), { items: [carried] });
			expect([kept[0].json._input_hash, kept[0].json._task_hash]).toEqual([1, 2]);
			const redone = await runOk(config, add('rehash', { options: { overwriteHashes: true } }), { items: [carried] });
			expect([redone[0].json._input_hash, redone[0].json._task_hash]).toEqual([-784135307, -1606845795]);
			// The review preset also hashes "accept" (the chosen options), so two answers differ only there.
			const accepted = { text: 'hi my name is 0', label: 'foo', accept: ['a'] };
			const byDefault = await runOk(config, add('rehash'), { items: [accepted] });
			expect(byDefault[0].json._task_hash).toBe(-1606845795);
			const review = await runOk(config, add('rehash', { options: { hashPreset: 'review' } }), { items: [accepted] });
			expect(review[0].json._input_hash).toBe(-784135307);
			expect(review[0].json._task_hash).not.toBe(-1606845795);

			const custom = await runOk(config, add('rehash', { options: { hashPreset: 'custom', inputKeys: 'body', taskKeys: 'intent' } }), {
				items: [{ body: 'refund please', intent: 'REFUND' }],
			});
			expect(custom[0].json._input_hash).toBe(getInputHash({ body: 'refund please' }, { inputKeys: ['body'] }));
			expect(custom[0].json._task_hash).toBe(
				getTaskHash({ body: 'refund please', intent: 'REFUND' }, { inputKeys: ['body'], taskKeys: ['intent'] }),
			);
		});

		it('refuses an unknown dataset when creating is off', async () => {
			const run = await runNode(config, add('does_not_exist', { options: { createDataset: false } }), { items: [{ text: 'a' }] });
			expect(run.status).toBe('error');
			expect(run.error?.message).toBe('Dataset "does_not_exist" does not exist');
			expect(await datasetRow(config, 'does_not_exist')).toBeNull();
		});

		it(`${backend === 'mysql' ? 'refuses' : 'stores'} content over 64 KiB ${backend === 'mysql' ? "(MySQL's BLOB limit)" : ''}`, async () => {
			const long = { text: 'x'.repeat(70_000) };
			const run = await runNode(config, add('long_content'), { items: [{ text: 'short' }, long], continueOnFail: true });
			const output = run.output(NODE);
			const texts = (await storedExamples(config, 'long_content')).map((row) => String(row.task.text).length);
			if (backend === 'mysql') {
				expect(output[1].json.error).toMatch(/^The task is 70,0\d\d bytes as JSON; the database's content column holds at most 65,535 bytes per example$/);
				expect(texts).toEqual([5]);
				const strict = await runNode(config, add('long_strict'), { items: [{ text: 'short' }, long] });
				expect(strict.error?.context?.itemIndex).toBe(1);
				expect(await datasetRow(config, 'long_strict')).toBeNull();
			} else {
				expect(output[1].json.duplicate).toBe(false);
				expect(texts).toEqual([5, 70_000]);
			}
		});
	});

	describe('Add refuses what Prodigy could not read back', () => {
		it('refuses meta nested 1,500 levels deep, naming the item, and writes nothing (Export and Get Stats keep working)', async () => {
			let deep: IDataObject = { leaf: 1 };
			for (let i = 0; i < 1500; i++) deep = { d: deep };
			await runOk(config, add('deep_meta'), { items: [{ text: 'fine' }] });
			const run = await runNode(config, add('deep_meta'), { items: [{ text: 'ok' }, { text: 'deep', meta: deep }] });
			expect(run.status).toBe('error');
			expect(run.error?.message).toBe('The data is nested deeper than 1000 levels');
			expect(run.error?.context?.itemIndex).toBe(1);
			expect((await storedExamples(config, 'deep_meta')).map((row) => row.task.text)).toEqual(['fine']);
			const stats = await runOk(config, { resource: 'dataset', operation: 'getStats', dataset: byName('deep_meta') });
			expect(stats[0].json).toMatchObject({ total: 1 });
		});

		it('refuses a meta that is not an object even when no meta option is set', async () => {
			const run = await runNode(config, add('meta_oops'), { items: [{ text: 'a', meta: 'oops' }] });
			expect(run.status).toBe('error');
			expect(run.error?.message).toBe("The task's meta must be a JSON object, got a string");
			expect(run.error?.context?.itemIndex).toBe(0);
			expect(await datasetRow(config, 'meta_oops')).toBeNull();
		});

		it('refuses a file that is not UTF-8, naming the file and line, instead of storing U+FFFD', async () => {
			const latin1 = Buffer.from('{"text":"ok"}\n{"text":"caf\u00e9"}\n', 'latin1').toString('base64');
			const run = await runNode(config, add('latin1_file', { inputMode: 'file', binaryPropertyName: 'data' }), {
				binary: { data: { text: '', base64: latin1, fileName: 'menu.jsonl', mimeType: 'application/jsonl' } },
			});
			expect(run.status).toBe('error');
			expect(run.error?.message).toBe('menu.jsonl line 2: the file is not valid UTF-8');
			expect(await datasetRow(config, 'latin1_file')).toBeNull();
		});
	});

	describe('reading, exporting and deleting', () => {
		const dataset = 'annotated';
		const answers = [
			{ text: 'a', answer: 'accept', _session_id: 'annotated-alex', _annotator_id: 'annotated-alex', _timestamp: 1_700_000_000 },
			{ text: 'b', answer: 'reject', _session_id: 'annotated-alex', _annotator_id: 'annotated-alex', _timestamp: 1_700_001_800 },
			{ text: 'c', answer: 'accept', flagged: true, _session_id: 'annotated-alex', _annotator_id: 'annotated-alex', _timestamp: 1_700_003_600 },
			{ text: 'd', answer: 'ignore', _session_id: 'annotated-sam', _annotator_id: 'annotated-sam', _timestamp: 1_700_000_100 },
			{ text: 'é', answer: 'accept', score: 0.5, _session_id: 'annotated-sam', _annotator_id: 'annotated-sam', _timestamp: 1_700_000_200 },
		];

		beforeAll(async () => {
			await runOk(config, add(dataset, { options: { session: 'named', sessionName: 'alex' } }), { items: answers.slice(0, 3) });
			await runOk(config, add(dataset, { options: { session: 'named', sessionName: 'sam' } }), { items: answers.slice(3) });
		});

		it('Get Many returns the annotations, or records with ids and hashes when not simplified', async () => {
			const simple = await runOk(config, { resource: 'example', operation: 'getAll', dataset: byName(dataset), returnAll: true });
			expect(simple.map((item) => item.json.text)).toEqual(['a', 'b', 'c', 'd', 'é']);
			expect(simple[4].json).toMatchObject({ score: 0.5, answer: 'accept' });

			const records = await runOk(config, {
				resource: 'example',
				operation: 'getAll',
				dataset: byName(dataset),
				limit: 2,
				simplify: false,
				filters: { answer: ['accept'] },
			});
			const rows = await storedExamples(config, dataset);
			expect(records.map((item) => item.json)).toEqual([
				{ link_id: rows[0].linkId, example_id: rows[0].exampleId, dataset, input_hash: rows[0].inputHash, task_hash: rows[0].taskHash, task: rows[0].task },
				{ link_id: rows[2].linkId, example_id: rows[2].exampleId, dataset, input_hash: rows[2].inputHash, task_hash: rows[2].taskHash, task: rows[2].task },
			]);
		});

		it('Get Many filters by session, flag and link id', async () => {
			const get = (filters: IDataObject) =>
				runOk(config, { resource: 'example', operation: 'getAll', dataset: byName(dataset), returnAll: true, filters });
			expect((await get({ session: 'annotated-sam' })).map((item) => item.json.text)).toEqual(['d', 'é']);
			expect((await get({ flagged: 'only' })).map((item) => item.json.text)).toEqual(['c']);
			expect((await get({ flagged: 'exclude', answer: ['accept'] })).map((item) => item.json.text)).toEqual(['a', 'é']);
			const rows = await storedExamples(config, dataset);
			expect((await get({ afterLinkId: rows[2].linkId })).map((item) => item.json.text)).toEqual(['d', 'é']);
		});

		it('Count counts with the same filters', async () => {
			const count = async (filters: IDataObject = {}) =>
				(await runOk(config, { resource: 'example', operation: 'count', dataset: byName(dataset), filters }))[0].json;
			expect(await count()).toEqual({ dataset, count: 5 });
			expect((await count({ answer: ['accept', 'ignore'] })).count).toBe(4);
			expect((await count({ session: 'annotated-alex', answer: ['reject'] })).count).toBe(1);
		});

		it('Export writes the stored content bytes as JSONL, with count, size and link range', async () => {
			const [item] = await runOk(config, { resource: 'example', operation: 'export', dataset: byName(dataset) });
			const rows = await storedExamples(config, dataset);
			const expected = rows.map((row) => `${row.content}\n`).join('');
			const file = Buffer.from(item.binary!.data.data, 'base64');
			expect(file.toString('utf8')).toBe(expected);
			expect(item.json).toEqual({
				dataset,
				format: 'jsonl',
				fileName: 'annotated.jsonl',
				count: 5,
				byteSize: Buffer.byteLength(expected),
				minLinkId: rows[0].linkId,
				maxLinkId: rows[4].linkId,
			});
			expect(item.binary!.data).toMatchObject({ fileName: 'annotated.jsonl', mimeType: 'application/jsonl' });
			expect(item.pairedItem).toEqual({ item: 0 });
		});

		it('Export after a node that outputs many items writes one file per distinct settings (version 1.1), or one per item when asked', async () => {
			const items = [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }];
			const parameters = {
				resource: 'example',
				operation: 'export',
				dataset: byName(dataset),
				options: { fileName: '={{ $json.n > 2 ? "late.jsonl" : "early.jsonl" }}' },
			};
			const shared = await runOk(config, parameters, { items, typeVersion: 1.1 });
			expect(shared.map((item) => [item.json.fileName, item.pairedItem])).toEqual([
				['early.jsonl', [{ item: 0 }, { item: 1 }]],
				['late.jsonl', [{ item: 2 }, { item: 3 }]],
			]);
			const each = await runOk(config, { ...parameters, exportPer: 'item' }, { items, typeVersion: 1.1 });
			expect(each.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
			// A saved version-1 node keeps exporting once per item.
			expect(await runOk(config, parameters, { items })).toHaveLength(4);
		});

		it('Export as a JSON array with filters, into a named binary field and file', async () => {
			const [item] = await runOk(config, {
				resource: 'example',
				operation: 'export',
				dataset: byName(dataset),
				format: 'json',
				binaryPropertyName: 'training',
				filters: { answer: ['accept'] },
				options: { fileName: 'accepted.json' },
			});
			const text = Buffer.from(item.binary!.training.data, 'base64').toString('utf8');
			expect((JSON.parse(text) as IDataObject[]).map((task) => task.text)).toEqual(['a', 'c', 'é']);
			expect(item.json).toMatchObject({ count: 3, fileName: 'accepted.json', format: 'json', byteSize: Buffer.byteLength(text) });
		});

		it('Export of an unknown dataset fails clearly', async () => {
			const run = await runNode(config, { resource: 'example', operation: 'export', dataset: byName('nope') });
			expect(run.status).toBe('error');
			expect(run.error?.message).toBe('Dataset "nope" does not exist');
			expect(run.error?.description).toBe('Check the name (it is case-sensitive) or create the dataset first.');
		});

		it('Export fails on a stored row that is not valid JSON, naming the example, in every file format', async () => {
			await runOk(config, add('truncated'), { items: [{ text: 'fine' }] });
			const [{ id: datasetId }] = await rawQuery(config, "SELECT id FROM dataset WHERE name = 'truncated'");
			// What a non-strict MySQL leaves of an oversized BLOB: the content cut off mid-task.
			const exampleId = await linkRawContent(config, Number(datasetId), '{"text":"cut","spans":[{"start":0');
			for (const extra of [{}, { format: 'json' }, { devShare: 0.5 }, { format: 'tokens' }]) {
				const run = await runNode(config, { resource: 'example', operation: 'export', dataset: byName('truncated'), ...extra });
				expect(run.status).toBe('error');
				expect(run.error?.message).toMatch(`Example ${exampleId} (dataset id ${Number(datasetId)}) does not hold valid JSON`);
			}
		});

		it('Session → Get Many shows each annotator\'s progress', async () => {
			const sessions = await runOk(config, { resource: 'session', operation: 'getAll', dataset: byName(dataset) });
			const byName_ = Object.fromEntries(sessions.map((item) => [item.json.session, item.json]));
			expect(byName_['annotated-alex']).toMatchObject({
				dataset,
				annotator: 'annotated-alex',
				examples: 3,
				annotations: 3,
				accept: 2,
				reject: 1,
				flagged: 1,
				firstAnnotationAt: new Date(1_700_000_000_000).toISOString(),
				lastAnnotationAt: new Date(1_700_003_600_000).toISOString(),
				annotationsPerHour: 3,
			});
			expect(byName_['annotated-sam']).toMatchObject({ examples: 2, ignore: 1, accept: 1, annotationsPerHour: 72 });
		});

		it('Delete unlinks by input hash from this dataset only, keeping other datasets\' links', async () => {
			await runOk(config, { resource: 'dataset', operation: 'merge', sources: dataset, dataset: byName('annotated_copy') });
			const rows = await storedExamples(config, dataset);
			const [item] = await runOk(config, {
				resource: 'example',
				operation: 'delete',
				dataset: byName(dataset),
				deleteBy: 'inputHash',
				values: `${rows[0].inputHash}, ${rows[1].inputHash}`,
			});
			expect(item.json).toEqual({
				deleted: true,
				removed: 'examples',
				dataset,
				unlinked: 2,
				examplesDeleted: 0,
				summary: `Removed 2 examples from ${dataset} by input hash (0 no other dataset held deleted); the dataset itself is kept`,
			});
			expect((await storedExamples(config, dataset)).map((row) => row.task.text)).toEqual(['c', 'd', 'é']);
			expect(await storedExamples(config, 'annotated_copy')).toHaveLength(5);

			const byId = await runOk(config, {
				resource: 'example',
				operation: 'delete',
				dataset: byName(dataset),
				deleteBy: 'exampleId',
				values: '={{ [' + rows[2].exampleId + '] }}',
			});
			expect(byId[0].json.unlinked).toBe(1);
			const bad = await runNode(config, { resource: 'example', operation: 'delete', dataset: byName(dataset), deleteBy: 'taskHash', values: 'abc' });
			expect(bad.error?.message).toBe('"abc" is not an integer ID or hash');
		});
	});

	it('reads a dataset Prodigy wrote (content inserted with plain SQL)', async () => {
		await runOk(config, { resource: 'dataset', operation: 'create', name: 'raw_sql' });
		const [{ id }] = await rawQuery(config, "SELECT id FROM dataset WHERE name = 'raw_sql'");
		const content = '{"text":"raw","_input_hash":1,"_task_hash":2,"answer":"accept","w":1.0}';
		await rawQuery(config, 'INSERT INTO example (input_hash, task_hash, content) VALUES (?, ?, ?)', [1, 2, Buffer.from(content)]);
		const [{ n }] = await rawQuery(config, 'SELECT MAX(id) AS n FROM example');
		await rawQuery(config, 'INSERT INTO link (example_id, dataset_id) VALUES (?, ?)', [Number(n), Number(id)]);
		const [item] = await runOk(config, { resource: 'example', operation: 'export', dataset: byName('raw_sql') });
		expect(Buffer.from(item.binary!.data.data, 'base64').toString('utf8')).toBe(`${content}\n`);
		expect(await rowCount(config, 'link')).toBeGreaterThan(0);
	});
});

describe('Prodigy Dataset node: Add on MySQL whose content column was widened to LONGBLOB', () => {
	let db: TestDatabase;
	beforeAll(async () => {
		db = await createTestDatabase('mysql');
	});
	afterAll(async () => await db?.cleanup());

	it('stores a 100 KB task, as the store itself accepts it: the limit is the real column, not BLOB\'s 65,535 bytes', async () => {
		await runOk(db.config, add('wide'), { items: [{ text: 'short' }] });
		await rawExec(db.config, 'ALTER TABLE `example` MODIFY `content` LONGBLOB NOT NULL');
		const output = await runOk(db.config, add('wide'), { items: [{ text: 'y'.repeat(100_000) }] });
		expect(output[0].json.duplicate).toBe(false);
		expect((await storedExamples(db.config, 'wide')).map((row) => String(row.task.text).length)).toEqual([5, 100_000]);
	});
});

describe('Prodigy Dataset node: Add when the database fails part-way through a file', () => {
	let db: TestDatabase;
	const jsonl = ['{"text":"one"}', '{"text":"two"}', '{"text":"three"}'].join('\n');
	const addFile = (dataset: string) => add(dataset, { inputMode: 'file', binaryPropertyName: 'data', options: { batchSize: 2 } });

	beforeEach(async () => {
		db = await createTestDatabase('sqlite');
		const store = openStore(db.config);
		try {
			await store.ensureSchema();
		} finally {
			await store.close();
		}
		// A real SQLite failure on the third example row: the first batch (two tasks) commits, the second fails.
		await rawExec(
			db.config,
			"CREATE TRIGGER fail_third BEFORE INSERT ON example WHEN (SELECT COUNT(*) FROM example) >= 2 BEGIN SELECT RAISE(ABORT, 'simulated disk failure'); END;",
		);
	});
	afterEach(async () => await db.cleanup());

	it('with continue-on-fail keeps the saved tasks in the output and says which were saved', async () => {
		const run = await runNode(db.config, addFile('partial'), {
			binary: { data: { text: jsonl, fileName: 'tasks.jsonl', mimeType: 'application/jsonl' } },
			continueOnFail: true,
		});
		expect(run.status).toBe('success');
		const output = run.output(NODE);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 0 }]);
		expect(output.slice(0, 2).map((item) => item.json.example_id)).toEqual([expect.any(Number), expect.any(Number)]);
		expect(output[2].json).toEqual({
			error: expect.stringMatching(
				/simulated disk failure.* \(tasks 1-2 of tasks\.jsonl were saved, task 3 was not; run again with Skip Duplicates: Same Question to add the rest once\)$/,
			),
		});
		expect((await storedExamples(db.config, 'partial')).map((row) => row.task.text)).toEqual(['one', 'two']);
	});

	it('without continue-on-fail stops with the error; the batch before it stays committed', async () => {
		const run = await runNode(db.config, addFile('partial_stop'), {
			binary: { data: { text: jsonl, fileName: 'tasks.jsonl', mimeType: 'application/jsonl' } },
		});
		expect(run.status).toBe('error');
		// The run ends here, so its error says what is already in the database, as the item's error would.
		expect(run.error?.message).toMatch(/simulated disk failure.* \(tasks 1-2 of tasks\.jsonl were saved, task 3 was not; run again with Skip Duplicates: Same Question to add the rest once\)$/);
		expect((await storedExamples(db.config, 'partial_stop')).map((row) => row.task.text)).toEqual(['one', 'two']);
	});
});

// Issue 19 item 4: a file's second batch fails (a real database error from a trigger that refuses one task), and
// with continue-on-fail its later batches used to be written anyway, leaving a hole (tasks 1-2 and 5-6 saved).
describe.each(BACKENDS)('Prodigy Dataset node: Add when one batch of a file fails, on %s', (backend) => {
	let db: TestDatabase;
	const lines = ['one', 'two', 'poison three', 'four', 'five', 'six'].map((text) => JSON.stringify({ text }));
	// Item 0 is the file (6 tasks, so batches 1-2, 3-4, 5-6); item 1 a whole item in the same dataset, written after.
	const parameters = (options: IDataObject = {}) =>
		add('holes', {
			inputMode: '={{ $itemIndex === 0 ? "file" : "json" }}',
			binaryPropertyName: 'data',
			// Never read (no item maps fields), but n8n checks required parameters an expression might show.
			content: 'unused',
			options: { batchSize: 2, ...options },
		});
	const input = { items: [{}, { text: 'other' }], binary: { data: { text: lines.join('\n'), fileName: 'tasks.jsonl', mimeType: 'application/jsonl' } } };

	const failingTrigger: Record<typeof backend, string[]> = {
		sqlite: [
			"CREATE TRIGGER fail_poison BEFORE INSERT ON example WHEN CAST(NEW.content AS TEXT) LIKE '%poison%' BEGIN SELECT RAISE(ABORT, 'simulated disk failure'); END",
		],
		postgres: [
			"CREATE FUNCTION fail_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF convert_from(NEW.content, 'UTF8') LIKE '%poison%' THEN RAISE EXCEPTION 'simulated disk failure'; END IF; RETURN NEW; END $$",
			'CREATE TRIGGER fail_poison BEFORE INSERT ON example FOR EACH ROW EXECUTE PROCEDURE fail_poison()',
		],
		mysql: [
			"CREATE TRIGGER fail_poison BEFORE INSERT ON example FOR EACH ROW BEGIN IF CAST(NEW.content AS CHAR) LIKE '%poison%' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'simulated disk failure'; END IF; END",
		],
	};

	beforeEach(async () => {
		db = await createTestDatabase(backend);
		const store = openStore(db.config);
		try {
			await store.ensureSchema();
		} finally {
			await store.close();
		}
		for (const statement of failingTrigger[backend]) await rawQuery(db.config, statement);
	});
	afterEach(async () => await db.cleanup());

	it('with continue-on-fail writes nothing more of that file, says which tasks were saved, and writes the other items', async () => {
		const run = await runNode(db.config, parameters(), { ...input, continueOnFail: true });
		expect(run.status).toBe('success');
		const output = run.output(NODE);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 0 }, { item: 1 }]);
		expect(output.slice(0, 2).map((item) => item.json.example_id)).toEqual([expect.any(Number), expect.any(Number)]);
		expect(output[2].json).toEqual({
			error: expect.stringMatching(
				/simulated disk failure.* \(tasks 1-2 of tasks\.jsonl were saved, tasks 3-6 were not; run again with Skip Duplicates: Same Question to add the rest once\)$/,
			),
		});
		expect(output[3].json).toMatchObject({ dataset: 'holes', duplicate: false, skipped: false });
		// No hole: the file's first two tasks, never 'five' and 'six' after the failed batch; the other item is saved.
		expect((await storedExamples(db.config, 'holes')).map((row) => row.task.text)).toEqual(['one', 'two', 'other']);

		// What the error says to do finishes the file: each missing task once, nothing saved twice.
		await rawQuery(db.config, backend === 'postgres' ? 'DROP TRIGGER fail_poison ON example' : 'DROP TRIGGER fail_poison');
		const again = await runOk(db.config, parameters({ dedupe: 'task' }), input);
		expect(again.map((item) => item.json.skipped)).toEqual([true, true, false, false, false, false, true]);
		expect((await storedExamples(db.config, 'holes')).map((row) => row.task.text)).toEqual([
			'one',
			'two',
			'other',
			'poison three',
			'four',
			'five',
			'six',
		]);
	});

	it('on a node with Skip Duplicates already on (version 1.1) says that running again adds the rest once', async () => {
		const run = await runNode(db.config, parameters(), { ...input, continueOnFail: true, typeVersion: 1.1 });
		expect(run.output(NODE)[2].json).toEqual({
			error: expect.stringMatching(
				/ \(tasks 1-2 of tasks\.jsonl were saved, tasks 3-6 were not; running again adds the rest once \(Skip Duplicates: Same Question skips what was saved\)\)$/,
			),
		});
		expect((await storedExamples(db.config, 'holes')).map((row) => row.task.text)).toEqual(['one', 'two', 'other']);
	});
});

describe('Prodigy Dataset node: Add when the connection breaks while committing and cannot be re-established', () => {
	let db: TestDatabase;
	let proxy: FaultProxy;
	const jsonl = ['{"text":"one"}', '{"text":"two"}', '{"text":"three"}'].join('\n');

	beforeEach(async () => {
		db = await createTestDatabase('postgres');
		const store = openStore(db.config);
		try {
			await store.ensureSchema();
		} finally {
			await store.close();
		}
		proxy = await FaultProxy.start((db.config as { port: number }).port);
	});
	afterEach(async () => {
		await proxy.close();
		await db.cleanup();
	});

	it('says the earlier batch was saved and the failed batch is "outcome unknown", never "not saved"', async () => {
		// The second batch's COMMIT reaches the server, its reply never comes back, and nothing can reconnect.
		let commits = 0;
		proxy.cutWhen((chunk) => {
			if (!/COMMIT\0?$/.test(chunk.toString('latin1')) || ++commits !== 2) return false;
			proxy.refuse = true;
			return true;
		}, 'after');
		const run = await runNode({ ...db.config, host: '127.0.0.1', port: proxy.port } as StoreConfig, add('unknown', { inputMode: 'file', binaryPropertyName: 'data', options: { batchSize: 2 } }), {
			binary: { data: { text: jsonl, fileName: 'tasks.jsonl', mimeType: 'application/jsonl' } },
			continueOnFail: true,
		});
		expect(run.status).toBe('success');
		const output = run.output(NODE);
		expect(output).toHaveLength(3);
		expect(output[2].json).toEqual({
			error: expect.stringMatching(
				/outcome unknown.* \(tasks 1-2 of tasks\.jsonl were saved, whether task 3 was saved is unknown; run again with Skip Duplicates: Same Question to add the rest once\)$/,
			),
		});
		// The truth: the batch did land, which the message did not deny.
		expect((await storedExamples(db.config, 'unknown')).map((row) => row.task.text)).toEqual(['one', 'two', 'three']);
	});
});
