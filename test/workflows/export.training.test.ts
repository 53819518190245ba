// Export for training through the Prodigy Dataset node, run as workflows through n8n-core on all three backends:
// answers merged per input (read ordered by input hash), tokens / textcat lines, conflicts listed, the hash-based
// train / dev split as two binaries with counts per label, and composition with filters, versions and approvals.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { recordDecision } from '../../lib/approvals';
import { openStore } from '../../lib/store';
import type { ProdigyStore, StoreConfig, Task } from '../../lib/store/types';
import { isDevInput } from '../../lib/training';
import { computeVersion, recordVersion } from '../../lib/versions';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../helpers/databases';
import { byName, NODE, runNode, runOk } from './datasetNode.helpers';

interface Vector {
	source: string;
	input_json: string;
	kind: string;
}
const vectors: Vector[] = readFileSync(join(__dirname, '..', 'fixtures', 'prodigy-hash-vectors.jsonl'), 'utf8')
	.split('\n')
	.filter((line) => line.trim() !== '')
	.map((line) => JSON.parse(line) as Vector);
// The nine real ner_manual answers (with tokens and spans) and the 18 real binary textcat answers.
const ner = vectors.filter((vector) => vector.kind === 'ner').map((vector) => JSON.parse(vector.input_json) as Task & { spans: IDataObject[] });
const textcat = vectors.filter((vector) => vector.source.includes('textcat-binary')).map((vector) => JSON.parse(vector.input_json) as Task);

const exportOp = (dataset: string, extra: IDataObject = {}) => ({ resource: 'example', operation: 'export', dataset: byName(dataset), ...extra });

function file(item: INodeExecutionData, field: string): string {
	const binary = item.binary?.[field];
	if (!binary) throw new Error(`no binary field ${field}`);
	return Buffer.from(binary.data, 'base64').toString('utf8');
}
const lines = (text: string) => text.split('\n').filter((line) => line !== '');

describe.each(BACKENDS)('Export for training on %s (workflow)', (backend) => {
	let db: TestDatabase;
	let config: StoreConfig;
	let store: ProdigyStore;

	beforeAll(async () => {
		db = await createTestDatabase(backend);
		config = db.config;
		store = openStore(config);
		const as = (name: string, tasks: Task[]) => tasks.map((task) => ({ ...task, _annotator_id: `ner_news-${name}`, _session_id: `ner_news-${name}` }));
		// alex annotated all nine inputs; sam agreed on #1, marked an overlapping span on #2 and rejected #3;
		// kim annotated a sentence Prodigy never tokenized.
		await store.addExamples('ner_news', as('alex', ner), { session: 'alex' });
		const [first, second, third] = ner;
		await store.addExamples(
			'ner_news',
			as('sam', [first, { ...second, spans: [{ start: 4, end: 14, label: 'Cuisine' }] }, { ...third, answer: 'reject' }]),
			{ session: 'sam' },
		);
		await store.addExamples('ner_news', as('kim', [{ text: 'Lunch in  Glendale', spans: [{ start: 10, end: 18, label: 'Location' }], answer: 'accept' }]), {
			session: 'kim',
		});
		const options = [
			{ id: 'FOOD', text: 'food' },
			{ id: 'SERVICE', text: 'service' },
		];
		await store.addExamples('reviews', [
			...textcat,
			{ text: 'Great pasta', options, accept: ['FOOD'], answer: 'accept' },
			{ text: 'Great pasta', options, accept: ['FOOD'], answer: 'accept' },
			{ text: 'Slow waiter', options, accept: ['SERVICE'], answer: 'accept', _annotator_id: 'reviews-alex' },
			{ text: 'Slow waiter', options, accept: ['FOOD'], answer: 'accept', _annotator_id: 'reviews-sam' },
		]);
	}, 120_000);
	afterAll(async () => {
		await store.close();
		await db.cleanup();
	});

	it('tokens: one merged line per input, conflicts left out and listed, whitespace tokenization said', async () => {
		const [item] = await runOk(config, exportOp('ner_news', { format: 'tokens' }));
		const written = lines(file(item, 'data'));
		// 10 inputs: #2 conflicts, the other 9 are written (kim's on whitespace tokens).
		expect(written).toHaveLength(9);
		expect(written).toContain('{"tokens":["any","asian","cuisine","around"],"ner_tags":["O","B-Cuisine","O","B-Location"]}');
		expect(written).toContain('{"tokens":["any","good","ice","cream","parlors","around"],"ner_tags":["O","B-Rating","B-Cuisine","I-Cuisine","I-Cuisine","B-Location"]}');
		expect(written).toContain('{"tokens":["Lunch","in","Glendale"],"ner_tags":["O","O","B-Location"]}');
		expect(written.some((line) => line.includes('"bbq"'))).toBe(false);
		expect(item.json).toMatchObject({
			dataset: 'ner_news',
			format: 'tokens',
			fileName: 'ner_news.tokens.jsonl',
			count: 9,
			answers: 13,
			merged: true,
			devShare: 0,
			withoutAcceptedAnswer: 0,
			whitespaceTokenized: 1,
			conflictCount: 1,
			notice: '1 example(s) had no "tokens": their text was split on whitespace',
		});
		expect((item.json.train as IDataObject).labels).toEqual({ Amenity: 2, Cuisine: 3, Dish: 1, Hours: 2, Location: 6, Price: 2, Rating: 2 });
		expect(item.json.conflicts).toEqual([
			expect.objectContaining({
				text: 'any bbq places open before 5 nearby',
				reason: 'spans',
				detail: 'spans 4-7 Cuisine and 4-14 Cuisine overlap',
				annotators: ['ner_news-alex', 'ner_news-sam'],
			}),
		]);
		expect(((item.json.conflicts as IDataObject[])[0].answers as IDataObject[]).map((answer) => answer.annotator)).toEqual(['ner_news-alex', 'ner_news-sam']);
	});

	it('without merging, every accepted answer is its own line and overlaps between answers are not conflicts', async () => {
		const [item] = await runOk(config, exportOp('ner_news', { format: 'tokens', mergePerInput: false }));
		expect(item.json).toMatchObject({ count: 12, answers: 13, merged: false, conflictCount: 0, withoutAcceptedAnswer: 1 });
	});

	it('a dev share gives two binaries on one item, split by input hash, with counts per label per side', async () => {
		const [whole] = await runOk(config, exportOp('ner_news', { format: 'tokens' }));
		const [item] = await runOk(config, exportOp('ner_news', { format: 'tokens', devShare: 40 }));
		const train = lines(file(item, 'data'));
		const dev = lines(file(item, 'dev'));
		expect([...train, ...dev].sort()).toEqual(lines(file(whole, 'data')).sort());
		expect(item.binary?.data.fileName).toBe('ner_news.tokens.train.jsonl');
		expect(item.binary?.dev.fileName).toBe('ner_news.tokens.dev.jsonl');
		// Each input on the side its hash gives, whatever else is in the dataset.
		const hashOf = new Map<string, number>();
		for await (const record of store.getExamples('ner_news')) hashOf.set(record.task.text as string, record.inputHash);
		const textOf = (line: string) => (JSON.parse(line) as { tokens: string[] }).tokens.join(' ');
		const sideOf = (text: string) => isDevInput([...hashOf].find(([stored]) => stored.split(/\s+/).join(' ') === text)?.[1] as number, 40);
		expect(train.map(textOf).every((text) => !sideOf(text))).toBe(true);
		expect(dev.map(textOf).every((text) => sideOf(text))).toBe(true);
		expect(dev.length).toBeGreaterThan(0);
		const trainSide = item.json.train as { examples: number; labels: Record<string, number> };
		const devSide = item.json.dev as { examples: number; labels: Record<string, number> };
		expect([trainSide.examples, devSide.examples]).toEqual([train.length, dev.length]);
		const wholeLabels = (whole.json.train as { labels: Record<string, number> }).labels;
		for (const [label, count] of Object.entries(wholeLabels)) expect((trainSide.labels[label] ?? 0) + (devSide.labels[label] ?? 0)).toBe(count);
	});

	it('textcat: binary answers and choice answers merged per input, in each label shape; disagreeing choices conflict', async () => {
		const [single] = await runOk(config, exportOp('reviews', { format: 'textcat' }));
		const written = lines(file(single, 'data'));
		const accepted = textcat.filter((task) => task.answer === 'accept');
		expect(written).toEqual(
			expect.arrayContaining([...accepted.map((task) => `{"text":"${task.text as string}","label":"foo"}`), '{"text":"Great pasta","label":"FOOD"}']),
		);
		expect(written).toHaveLength(accepted.length + 1);
		expect(single.json).toMatchObject({ conflictCount: 1, fileName: 'reviews.textcat.jsonl' });
		expect((single.json.conflicts as IDataObject[])[0]).toMatchObject({ text: 'Slow waiter', reason: 'labels', annotators: ['reviews-alex', 'reviews-sam'] });
		// Rejected binary answers have no label that applies: no Single Label line, but a 0.0 in cats.
		expect(single.json.withoutLine).toBe(textcat.filter((task) => task.answer === 'reject').length);

		const [cats] = await runOk(config, exportOp('reviews', { format: 'textcat', textcatShape: 'cats' }));
		expect(lines(file(cats, 'data'))).toContain('{"text":"Great pasta","cats":{"FOOD":1.0,"SERVICE":0.0}}');
		expect(lines(file(cats, 'data'))).toContain('{"text":"hi my name is 1","cats":{"foo":0.0}}');
		expect((cats.json.train as IDataObject).labels).toEqual({ FOOD: 1, foo: accepted.length });
	});

	it('re-exports the same version byte for byte, train and dev, after more answers arrive', async () => {
		const version = (await recordVersion(store, 'ner_news', await computeVersion(store, 'ner_news'))).version;
		const parameters = exportOp('ner_news', { format: 'tokens', devShare: 30, options: { version: version.id } });
		const [first] = await runOk(config, parameters);
		await store.addExamples('ner_news', [{ ...ner[4], _annotator_id: 'late' }, { text: 'new input here', answer: 'accept' }]);
		const [second] = await runOk(config, parameters);
		expect(file(second, 'data')).toBe(file(first, 'data'));
		expect(file(second, 'dev')).toBe(file(first, 'dev'));
		expect(second.json).toMatchObject({ versionId: version.id, answers: 13 });
		const [now] = await runOk(config, exportOp('ner_news', { format: 'tokens', devShare: 30 }));
		expect(now.json.answers).toBe(15);
	});

	it('composes with filters and Require Approval', async () => {
		const [alexOnly] = await runOk(config, exportOp('ner_news', { format: 'tokens', filters: { session: 'ner_news-alex' } }));
		expect(alexOnly.json).toMatchObject({ answers: 9, count: 9, conflictCount: 0 });

		const refused = await runNode(config, exportOp('ner_news', { format: 'tokens', options: { requireApproval: true } }));
		expect(refused.status).toBe('error');
		expect(refused.error?.message).toMatch(/is not approved, so it was not exported/);
		const current = await computeVersion(store, 'ner_news');
		await recordDecision(store, 'ner_news', { versionId: current.id, decision: 'approved', approver: 'lead', reasons: [], time: new Date().toISOString(), mode: 'human' });
		const [approved] = await runOk(config, exportOp('ner_news', { format: 'tokens', options: { requireApproval: true } }));
		expect(approved.json).toMatchObject({ approved: true, versionId: current.id });
	});

	it('Prodigy JSONL with a dev share: the stored lines, byte for byte, split by input hash', async () => {
		const [whole] = await runOk(config, exportOp('reviews'));
		const [item] = await runOk(config, exportOp('reviews', { devShare: 25, devBinaryPropertyName: 'holdout' }));
		const stored = lines(file(whole, 'data'));
		expect([...lines(file(item, 'data')), ...lines(file(item, 'holdout'))].sort()).toEqual([...stored].sort());
		for (const line of lines(file(item, 'holdout'))) expect(isDevInput((JSON.parse(line) as { _input_hash: number })._input_hash, 25)).toBe(true);
		expect(item.json).toMatchObject({ format: 'jsonl', fileName: 'reviews.train.jsonl', count: stored.length });
	});

	it('a span off the token boundaries fails the item with a message naming the example', async () => {
		await store.addExamples('broken', [{ ...ner[0], spans: [{ start: 5, end: 9, label: 'Cuisine' }] }]);
		const run = await runNode(config, exportOp('broken', { format: 'tokens' }));
		expect(run.status).toBe('error');
		expect(run.error?.message).toBe('The example with _input_hash -1847384001: span 5-9 Cuisine ("sian") does not fall on token boundaries');
		const same = await runNode(config, exportOp('broken', { format: 'tokens', devShare: 10, devBinaryPropertyName: 'data' }));
		expect(same.error?.message).toBe('The train and dev files cannot both go to the binary field "data"');
		const tooMuch = await runNode(config, exportOp('broken', { format: 'tokens', devShare: '={{ 60 }}' }));
		expect(tooMuch.error?.message).toBe('Dev share must be between 0 and 50 (percent), got 60');
		const failed = await runNode(config, exportOp('broken', { format: 'tokens' }), { continueOnFail: true });
		expect(failed.output(NODE)[0].json.error).toMatch(/does not fall on token boundaries/);
	});
});
