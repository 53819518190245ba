import { ProdigyInputError } from '../../lib/errors';
import { getPathValue, getPathValues, hasWildcard, parsePath, setPathValue } from '../../lib/paths';

const item = {
	score: 0.4,
	meta: { score: 0.9, 'source.system': 'crm' },
	prediction: { confidence: 0.73, cats: { 'B-PER': 0.2, POS: 0.8 } },
	spans: [
		{ start: 0, end: 3, score: 0.9 },
		{ start: 4, end: 9, score: 0.35 },
		{ start: 10, end: 12 },
	],
	probs: [0.1, 0.6, 0.3],
};

describe('parsePath', () => {
	it('parses keys, positions, wildcards and quoted keys', () => {
		expect(parsePath('spans[*].score')).toEqual([
			{ kind: 'key', key: 'spans' },
			{ kind: 'wildcard' },
			{ kind: 'key', key: 'score' },
		]);
		expect(parsePath('probs[-1]')).toEqual([{ kind: 'key', key: 'probs' }, { kind: 'index', index: -1 }]);
		expect(parsePath(`meta["source.system"]`)).toEqual([
			{ kind: 'key', key: 'meta' },
			{ kind: 'key', key: 'source.system' },
		]);
		expect(parsePath("cats['B-PER']")).toEqual([{ kind: 'key', key: 'cats' }, { kind: 'key', key: 'B-PER' }]);
		expect(parsePath('$json.meta.score')).toEqual([{ kind: 'key', key: 'meta' }, { kind: 'key', key: 'score' }]);
		expect(parsePath('spans.*.score')[1]).toEqual({ kind: 'wildcard' });
	});

	it.each(['', 'a..b', 'a.', '.a', 'a[', 'a[x]', 'a["x]', 'a[0]b'])('rejects %j with an input error', (path) => {
		expect(() => parsePath(path)).toThrow(ProdigyInputError);
	});

	it('says whether a path has a wildcard', () => {
		expect(hasWildcard('spans[*].score')).toBe(true);
		expect(hasWildcard('meta.score')).toBe(false);
	});
});

describe('getPathValue(s)', () => {
	it('reads nested keys, positions from either end and quoted keys', () => {
		expect(getPathValue(item, 'prediction.confidence')).toBe(0.73);
		expect(getPathValue(item, 'meta.score')).toBe(0.9);
		expect(getPathValue(item, 'probs[1]')).toBe(0.6);
		expect(getPathValue(item, 'probs[-1]')).toBe(0.3);
		expect(getPathValue(item, 'prediction.cats["B-PER"]')).toBe(0.2);
		expect(getPathValue(item, 'meta["source.system"]')).toBe('crm');
	});

	it('returns undefined for anything missing, never throws on shape mismatches', () => {
		expect(getPathValue(item, 'meta.nothing')).toBeUndefined();
		expect(getPathValue(item, 'score.deeper')).toBeUndefined();
		expect(getPathValue(item, 'probs[3]')).toBeUndefined();
		expect(getPathValue(item, 'meta[0]')).toBeUndefined();
		expect(getPathValue(null, 'a')).toBeUndefined();
	});

	it('expands wildcards in document order and skips elements without the key', () => {
		expect(getPathValues(item, 'spans[*].score')).toEqual([0.9, 0.35]);
		expect(getPathValue(item, 'spans[*].score')).toEqual([0.9, 0.35]);
		expect(getPathValues(item, 'prediction.cats.*')).toEqual([0.2, 0.8]);
		expect(getPathValue(item, 'missing[*].x')).toEqual([]);
	});

	it('does not read inherited properties', () => {
		expect(getPathValue({}, 'constructor')).toBeUndefined();
		expect(getPathValue({ a: {} }, 'a.toString')).toBeUndefined();
	});
});

describe('setPathValue', () => {
	it('returns a copy with the value set and leaves the input untouched', () => {
		const input = { text: 'x', meta: { source: 'a' } };
		const frozen = JSON.stringify(input);
		const output = setPathValue(input, 'meta.score', 0.5);
		expect(output).toEqual({ text: 'x', meta: { source: 'a', score: 0.5 } });
		expect(JSON.stringify(input)).toBe(frozen);
		expect(output.meta).not.toBe(input.meta);
	});

	it('creates missing objects along the path', () => {
		expect(setPathValue({}, 'provenance.version.id', 'abc')).toEqual({ provenance: { version: { id: 'abc' } } });
	});

	it('writes into an existing array element by position', () => {
		const input = { spans: [{ a: 1 }, { a: 2 }] };
		expect(setPathValue(input, 'spans[-1].b', 3)).toEqual({ spans: [{ a: 1 }, { a: 2, b: 3 }] });
		expect(input.spans[1]).toEqual({ a: 2 });
	});

	it('refuses to overwrite a non-object on the way, or to write through a wildcard', () => {
		expect(() => setPathValue({ meta: 'text' }, 'meta.score', 1)).toThrow(/not an object/);
		expect(() => setPathValue({ spans: [] }, 'spans[*].x', 1)).toThrow(ProdigyInputError);
		expect(() => setPathValue({ spans: [] }, 'spans[0].x', 1)).toThrow(/outside the array/);
	});
});
