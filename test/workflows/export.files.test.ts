// Example → Export's files and output items for every format × dev share × merge × label shape, on every backend,
// against the files recorded in test/fixtures/export-files.json: the guard that a change to the export pipeline
// leaves every file byte for byte (its SHA-256) and every output item as it was. Record again (only when a change
// of the files is intended, and say so in the commit) with EXPORT_FILES=record.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { parseJsonLossless } from '../../lib/json';
import { openStore } from '../../lib/store';
import type { Task } from '../../lib/store/types';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../helpers/databases';
import { byName, NODE, runNode } from './datasetNode.helpers';

const FIXTURE = join(__dirname, '..', 'fixtures', 'export-files.json');
const RECORD = process.env.EXPORT_FILES === 'record';

interface Vector {
	source: string;
	input_json: string;
	kind: string;
}
const vectors: Vector[] = readFileSync(join(__dirname, '..', 'fixtures', 'prodigy-hash-vectors.jsonl'), 'utf8')
	.split('\n')
	.filter((line) => line.trim() !== '')
	.map((line) => JSON.parse(line) as Vector);
const ner = vectors.filter((vector) => vector.kind === 'ner').map((vector) => parseJsonLossless(vector.input_json) as Task);
const textcat = vectors.filter((vector) => vector.source.includes('textcat-binary')).map((vector) => parseJsonLossless(vector.input_json) as Task);

/** A deterministic mix big enough for several 256 KB chunks: tokens and spans, choices, floats, non-ASCII, flags. */
function bulk(count: number): Task[] {
	let seed = 7;
	const next = (n: number) => {
		seed = (seed * 1103515245 + 12345) % 2147483648;
		return seed % n;
	};
	const words = ['Berlin', 'café', 'Acme', 'hired', 'Bo', 'in', 'the', 'spring', 'of', '2021', 'Zürich', '東京', 'naïve', 'model'];
	const tasks: Task[] = [];
	for (let i = 0; i < count; i++) {
		const picked = Array.from({ length: 8 + next(30) }, () => words[next(words.length)]);
		const text = picked.join(' ');
		let at = 0;
		const tokens = picked.map((word, id) => {
			const token = { text: word, start: at, end: at + word.length, id, ws: id < picked.length - 1 };
			at += word.length + 1;
			return token;
		});
		const answer = ['accept', 'accept', 'accept', 'reject', 'ignore'][next(5)];
		const kind = next(3);
		const json =
			kind === 0
				? { text, tokens, spans: [{ start: tokens[1].start, end: tokens[1].end, label: 'ORG', token_start: 1, token_end: 1 }], answer }
				: kind === 1
					? { text, options: [{ id: 'A' }, { id: 'B' }, { id: 'C' }], accept: next(4) === 0 ? ['A', 'B'] : ['C'], answer }
					: { text, label: 'POSITIVE', answer };
		// Written as JSON text with 1.0 floats and parsed losslessly, so the stored bytes keep Python's floats.
		const meta = `{"score":${next(10)}.0,"pattern":${next(100)}}`;
		const raw = JSON.stringify({ ...json, meta: '@' }).replace('"@"', meta);
		const task = parseJsonLossless(raw) as Task;
		if (next(7) === 0) task.flagged = true;
		// Every tenth input answered twice, by another annotator, so merging has groups to merge.
		tasks.push(task);
		if (i % 10 === 0) tasks.push({ ...task, _annotator_id: 'bulk-sam', _session_id: 'bulk-sam' });
	}
	return tasks;
}

type Case = IDataObject & { name: string };

/** Every combination the node offers, plus the errors, as one item each (version 1 exports once per item). */
function cases(): Case[] {
	const list: Case[] = [];
	for (const devShare of [0, 30]) {
		list.push({ name: `jsonl dev ${devShare}`, format: 'jsonl', devShare });
		list.push({ name: `json dev ${devShare}`, format: 'json', devShare });
		for (const mergePerInput of [true, false]) {
			list.push({ name: `tokens dev ${devShare} merge ${mergePerInput}`, format: 'tokens', devShare, mergePerInput });
			for (const textcatShape of ['label', 'labels', 'cats']) {
				list.push({ name: `textcat ${textcatShape} dev ${devShare} merge ${mergePerInput}`, format: 'textcat', devShare, mergePerInput, textcatShape });
			}
		}
	}
	list.push({ name: 'jsonl filtered, named file', format: 'jsonl', filters: { answer: ['accept', 'ignore'], flagged: 'exclude' }, fileName: 'picked.jsonl' });
	list.push({ name: 'json filtered', format: 'json', filters: { answer: ['reject'] }, fileName: 'rejected' });
	list.push({ name: 'tokens dev, named fields and file', format: 'tokens', devShare: 45, binaryPropertyName: 'train', devBinaryPropertyName: 'holdout', fileName: 'ner' });
	list.push({ name: 'jsonl dev, file without .jsonl', format: 'jsonl', devShare: 12.5, fileName: 'all.txt' });
	list.push({ name: 'dev share too large', format: 'tokens', devShare: 60 });
	list.push({ name: 'dev file in the train field', format: 'jsonl', devShare: 10, devBinaryPropertyName: 'data' });
	return list;
}

const parameters = (dataset: string): IDataObject => ({
	resource: 'example',
	operation: 'export',
	dataset: byName(dataset),
	format: '={{ $json.format }}',
	devShare: '={{ $json.devShare ?? 0 }}',
	mergePerInput: '={{ $json.mergePerInput ?? true }}',
	textcatShape: '={{ $json.textcatShape ?? "label" }}',
	binaryPropertyName: '={{ $json.binaryPropertyName ?? "data" }}',
	devBinaryPropertyName: '={{ $json.devBinaryPropertyName ?? "dev" }}',
	// A collection's fields take expressions one by one (an expression for the whole collection is not evaluated).
	filters: { answer: '={{ $json.filters?.answer ?? [] }}', flagged: '={{ $json.filters?.flagged ?? "any" }}' },
	options: { fileName: '={{ $json.fileName ?? "" }}' },
});

/** An output item as recorded: its JSON and, per binary field, the file's name, type, size and SHA-256. */
function recorded(item: INodeExecutionData): IDataObject {
	const files: IDataObject = {};
	for (const [field, binary] of Object.entries(item.binary ?? {})) {
		const bytes = Buffer.from(binary.data, 'base64');
		files[field] = { fileName: binary.fileName, mimeType: binary.mimeType, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
	}
	return { json: item.json, files, pairedItem: item.pairedItem as IDataObject };
}

const DATASETS = ['ner_news', 'reviews', 'bulk', 'empty'];
const results: Record<string, Record<string, IDataObject[]>> = {};

describe.each(BACKENDS)('Export files on %s, recorded byte for byte', (backend) => {
	let db: TestDatabase;

	beforeAll(async () => {
		db = await createTestDatabase(backend);
		const store = openStore(db.config);
		try {
			const as = (name: string, tasks: Task[]) => tasks.map((task) => ({ ...task, _annotator_id: `ner_news-${name}`, _session_id: `ner_news-${name}` }));
			await store.addExamples('ner_news', as('alex', ner), { session: 'alex' });
			const [first, second, third] = ner;
			await store.addExamples('ner_news', as('sam', [first, { ...second, spans: [{ start: 4, end: 14, label: 'Cuisine' }] }, { ...third, answer: 'reject' }]), {
				session: 'sam',
			});
			await store.addExamples('ner_news', [{ text: 'Lunch in  Glendale', spans: [{ start: 10, end: 18, label: 'Location' }], answer: 'accept' }]);
			const options = [{ id: 'FOOD', text: 'food' }, { id: 'SERVICE', text: 'service' }];
			await store.addExamples('reviews', [
				...textcat,
				{ text: 'Great pasta', options, accept: ['FOOD'], answer: 'accept' },
				{ text: 'Great pasta', options, accept: ['FOOD'], answer: 'accept' },
				{ text: 'Slow waiter', options, accept: ['SERVICE'], answer: 'accept', _annotator_id: 'reviews-alex' },
				{ text: 'Slow waiter', options, accept: ['FOOD'], answer: 'accept', _annotator_id: 'reviews-sam' },
			]);
			await store.addExamples('bulk', bulk(1500));
			await store.createDataset('empty');
		} finally {
			await store.close();
		}
	}, 180_000);
	afterAll(async () => await db?.cleanup());

	it.each(DATASETS)('%s: every format and setting gives the recorded files and output items', async (dataset) => {
		const items = cases();
		const run = await runNode(db.config, parameters(dataset), { items, continueOnFail: true });
		expect(run.status).toBe('success');
		const output = run.output(NODE);
		expect(output).toHaveLength(items.length);
		const got = output.map(recorded);
		(results[backend] ??= {})[dataset] = got;
		if (RECORD) return;
		const expected = (JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, IDataObject[]>)[dataset];
		for (let i = 0; i < items.length; i++) expect({ case: items[i].name, ...got[i] }).toEqual({ case: items[i].name, ...expected[i] });
	}, 180_000);
});

afterAll(() => {
	if (!RECORD) return;
	// Recorded from the first backend; every backend must agree, or the recording is refused.
	const [first, ...others] = BACKENDS.filter((backend) => results[backend]);
	for (const other of others) expect(results[other]).toEqual(results[first]);
	if (existsSync(FIXTURE)) console.log(`rewriting ${FIXTURE}`);
	writeFileSync(FIXTURE, `${JSON.stringify(results[first], null, '\t')}\n`);
});
