import { createHash } from 'node:crypto';

import { openStore } from '../../lib/store';
import type { ProdigyStore } from '../../lib/store/types';
import {
	computeVersion,
	exampleDigest,
	findVersion,
	recordVersion,
	VERSION_ALGORITHM,
	VersionAccumulator,
	VersionMismatchError,
	VersionNotFoundError,
	verifyVersion,
	withVersion,
} from '../../lib/versions';
import { createTestDatabase, type TestDatabase } from '../helpers/databases';

function example(linkId: number, raw: string, taskHash = 1) {
	return { linkId, taskHash, raw };
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest();

describe('exampleDigest', () => {
	it('is SHA-256 of "task hash \\n answer \\n Python-canonical content"', () => {
		const raw = '{"text":"é","answer":"accept","b":[1,2.0]}';
		// Canonical JSON: keys sorted, no spaces, ASCII-escaped, the float 2.0 kept as a float.
		const expected = sha256('-5\naccept\n{"answer":"accept","b":[1,2.0],"text":"\\u00e9"}');
		expect(exampleDigest(example(1, raw, -5)).equals(expected)).toBe(true);
	});

	it('ignores key order and whitespace but not Python-visible differences', () => {
		const a = exampleDigest(example(1, '{"text":"x","answer":"accept"}'));
		const b = exampleDigest(example(9, '{ "answer": "accept", "text": "x" }'));
		expect(a.equals(b)).toBe(true);
		// 2 and 2.0 are different values for Python (and for Prodigy's hashes).
		expect(exampleDigest(example(1, '{"a":2}')).equals(exampleDigest(example(1, '{"a":2.0}')))).toBe(false);
		expect(exampleDigest(example(1, '{"a":1}', 1)).equals(exampleDigest(example(1, '{"a":1}', 2)))).toBe(false);
	});

	it('hashes content that is not JSON as its raw text instead of failing', () => {
		const digest = exampleDigest({ linkId: 1, taskHash: 3, raw: 'not json' });
		expect(digest.equals(sha256('3\n\nraw:not json'))).toBe(true);
	});
});

describe('VersionAccumulator', () => {
	const raws = ['{"text":"a","answer":"accept"}', '{"text":"b","answer":"reject"}', '{"text":"c"}'];

	it('computes the documented recipe: header, then the sorted digests', () => {
		const acc = new VersionAccumulator();
		raws.forEach((raw, i) => acc.add(example(i + 1, raw)));
		const digests = raws.map((raw, i) => exampleDigest(example(i + 1, raw))).sort(Buffer.compare);
		const expected = createHash('sha256')
			.update(`${VERSION_ALGORITHM}\ncount=3\nmaxLinkId=3\n`)
			.update(Buffer.concat(digests))
			.digest('hex');
		expect(acc.finish()).toEqual({ id: expected, count: 3, minLinkId: 1, maxLinkId: 3 });
	});

	it('does not depend on the order examples arrive in', () => {
		const forward = new VersionAccumulator();
		const backward = new VersionAccumulator();
		raws.forEach((raw, i) => forward.add(example(i + 1, raw)));
		[...raws].reverse().forEach((raw, i) => backward.add(example(3 - i, raw)));
		expect(backward.finish()).toEqual(forward.finish());
	});

	it('changes with the count (duplicates count), the highest link id and any content', () => {
		const id = (entries: Array<[number, string]>) => {
			const acc = new VersionAccumulator();
			for (const [linkId, raw] of entries) acc.add(example(linkId, raw));
			return acc.finish().id;
		};
		const base = id([[1, raws[0]], [2, raws[1]]]);
		expect(id([[1, raws[0]], [2, raws[1]], [3, raws[1]]])).not.toBe(base);
		expect(id([[1, raws[0]], [7, raws[1]]])).not.toBe(base);
		expect(id([[1, raws[0]], [2, '{"text":"b","answer":"accept"}']])).not.toBe(base);
		expect(id([[2, raws[1]], [1, raws[0]]])).toBe(base);
	});

	it('grows past its initial buffer (more than 1024 examples)', () => {
		const acc = new VersionAccumulator();
		for (let i = 1; i <= 2500; i++) acc.add(example(i, `{"text":"${i}"}`));
		const result = acc.finish();
		expect(result.count).toBe(2500);
		const again = new VersionAccumulator();
		for (let i = 2500; i >= 1; i--) again.add(example(i, `{"text":"${i}"}`));
		expect(again.finish().id).toBe(result.id);
	});

	it('gives an empty dataset a fixed id', () => {
		expect(new VersionAccumulator().finish()).toEqual({
			id: createHash('sha256').update(`${VERSION_ALGORITHM}\ncount=0\nmaxLinkId=0\n`).digest('hex'),
			count: 0,
			minLinkId: null,
			maxLinkId: null,
		});
	});
});

describe('findVersion / withVersion', () => {
	const summary = { id: 'abcdef0123456789'.repeat(4), count: 2, minLinkId: 1, maxLinkId: 2 };

	it('appends once and keeps the first record', () => {
		const first = withVersion({ author: 'x' }, summary, { note: 'first', now: new Date('2024-01-01T00:00:00Z') });
		expect(first.recorded).toBe(true);
		expect(first.meta).toEqual({ author: 'x', versions: [first.version] });
		expect(first.version).toEqual({ ...summary, algorithm: VERSION_ALGORITHM, createdAt: '2024-01-01T00:00:00.000Z', note: 'first' });
		const second = withVersion(first.meta, summary, { note: 'second' });
		expect(second.recorded).toBe(false);
		expect(second.meta).toBe(first.meta);
		expect(second.version.note).toBe('first');
	});

	it('finds by full id or an unambiguous prefix of 8+ characters', () => {
		const meta = withVersion({}, summary).meta;
		expect(findVersion(meta, summary.id)?.count).toBe(2);
		expect(findVersion(meta, 'ABCDEF01')?.id).toBe(summary.id);
		expect(findVersion(meta, 'abcdef0')).toBeNull();
		expect(findVersion(meta, 'ffffffff')).toBeNull();
	});

	it('refuses a "versions" meta field that is not a list', () => {
		expect(() => withVersion({ versions: 'v1' }, summary)).toThrow(/not a list/);
	});
});

describe('versions in a real Prodigy database (SQLite)', () => {
	let db: TestDatabase;
	let store: ProdigyStore;

	beforeEach(async () => {
		db = await createTestDatabase('sqlite');
		store = openStore(db.config);
		await store.addExamples('news', [
			{ text: 'one', answer: 'accept', _annotator_id: 'news-alex' },
			{ text: 'two', answer: 'reject', _annotator_id: 'news-alex' },
			{ text: 'three', answer: 'accept', _annotator_id: 'news-sam' },
		]);
	});

	afterEach(async () => {
		await store.close();
		await db.cleanup();
	});

	it('computes the same id page by page as in one go, and records it idempotently', async () => {
		const whole = await computeVersion(store, 'news');
		const paged = await computeVersion(store, 'news', { pageSize: 1 });
		expect(paged).toEqual(whole);
		expect(whole).toMatchObject({ count: 3, minLinkId: 1, maxLinkId: 3 });

		const first = await recordVersion(store, 'news', whole, { modelVersion: 'ner-7', source: 'crm' });
		const second = await recordVersion(store, 'news', whole, { note: 'again' });
		expect(first.recorded).toBe(true);
		expect(second.recorded).toBe(false);
		expect(second.version).toEqual(first.version);
		const meta = (await store.getDataset('news'))?.meta;
		expect(meta?.versions).toEqual([first.version]);
		expect(first.version).toMatchObject({ id: whole.id, modelVersion: 'ner-7', source: 'crm' });
	});

	it('verifies a version after appends, and fails clearly after a destructive change', async () => {
		const v1 = await computeVersion(store, 'news');
		await recordVersion(store, 'news', v1);
		await store.addExamples('news', [{ text: 'four', answer: 'accept' }]);
		const v2 = await computeVersion(store, 'news');
		expect(v2.id).not.toBe(v1.id);

		await expect(verifyVersion(store, 'news', v1.id.slice(0, 12))).resolves.toEqual({
			version: expect.objectContaining({ id: v1.id }),
			upToLinkId: 3,
			count: 3,
		});

		const [second] = await collect(store, 'news', 2);
		await store.removeExamples('news', { exampleIds: [second.exampleId] });
		await expect(verifyVersion(store, 'news', v1.id)).rejects.toThrow(VersionMismatchError);
		await expect(verifyVersion(store, 'news', v1.id)).rejects.toThrow(/changed since version/);
	});

	it('says when a version or dataset is unknown', async () => {
		await expect(verifyVersion(store, 'news', 'deadbeefdeadbeef')).rejects.toThrow(VersionNotFoundError);
		await expect(verifyVersion(store, 'gone', 'deadbeefdeadbeef')).rejects.toThrow(/does not exist/);
	});

	it('verifies an empty version without reading examples', async () => {
		await store.createDataset('empty');
		const empty = await computeVersion(store, 'empty');
		await recordVersion(store, 'empty', empty);
		await store.addExamples('empty', [{ text: 'later' }]);
		await expect(verifyVersion(store, 'empty', empty.id)).resolves.toMatchObject({ upToLinkId: 0, count: 0 });
	});
});

async function collect(store: ProdigyStore, dataset: string, linkId: number) {
	const found = [];
	for await (const record of store.getExamples(dataset)) if (record.linkId === linkId) found.push(record);
	return found;
}
