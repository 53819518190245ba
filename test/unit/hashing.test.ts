// Prodigy-exact hashes: the public vectors (hashes written by real Prodigy) and hand-derived hashed strings.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ProdigyInputError } from '../../lib/errors';
import {
	DEFAULT_IGNORE_KEYS,
	DEFAULT_INPUT_KEYS,
	DEFAULT_TASK_KEYS,
	HASH_PRESETS,
	getInputHash,
	getTaskHash,
	inputHashString,
	setHashes,
	taskHashString,
} from '../../lib/hashing';
import { parseJsonLossless, pythonJsonDumps, stringifyTask } from '../../lib/json';
import { murmurhash3_32, murmurhash3_32Bytes } from '../../lib/murmurhash';
import type { Task } from '../../lib/store/types';

/** Copied from ../shared/prodigy-hash-vectors.jsonl so a clean clone carries it. */
const VECTORS_FILE = join(__dirname, '..', 'fixtures', 'prodigy-hash-vectors.jsonl');

interface Vector {
	source: string;
	input_json: string;
	input_hash: number;
	task_hash: number;
	tags: string[];
	removed: string[];
}

const vectors: Vector[] = readFileSync(VECTORS_FILE, 'utf8')
	.split('\n')
	.filter((line) => line.trim() !== '')
	.map((line) => JSON.parse(line) as Vector);

const task = (json: string) => parseJsonLossless(json) as Task;

describe('murmurhash3_32', () => {
	it('is MurmurHash3 x86 32 with seed 0, signed, over UTF-8 bytes', () => {
		expect(murmurhash3_32('foo')).toBe(-156908512);
		expect(murmurhash3_32('')).toBe(0);
		expect(murmurhash3_32('é')).toBe(murmurhash3_32(new Uint8Array([0xc3, 0xa9])));
		expect(murmurhash3_32('foo', 1)).not.toBe(murmurhash3_32('foo'));
	});

	it('hashes only the first `length` bytes of a reused buffer', () => {
		const buffer = new TextEncoder().encode('foo and more bytes after it');
		expect(murmurhash3_32Bytes(buffer, 3)).toBe(-156908512);
		for (let length = 0; length <= 8; length++) expect(murmurhash3_32Bytes(buffer, length)).toBe(murmurhash3_32(buffer.subarray(0, length)));
	});
});

describe('the single-pass byte writer behind the hashes', () => {
	it('writes non-ASCII, astral characters and lone surrogates as Python escapes, in values and in sorted keys', () => {
		const t = { text: 'é\u2028😀\ud800x\udfff\u0000"\\', label: { '\u{1F600}': '\u{1D11E}', '\uffff': 2, '\ud83d\ue000': 3 } };
		expect(inputHashString(t)).toBe('text="\\u00e9\\u2028\\ud83d\\ude00\\ud800x\\udfff\\u0000\\"\\\\"');
		expect(taskHashString({ ...t, _input_hash: 5 })).toBe('5label={"\\ud83d\\ue000":3,"\\uffff":2,"\\ud83d\\ude00":"\\ud834\\udd1e"}');
		// The hash is MurmurHash of exactly those (ASCII) bytes.
		expect(getInputHash(t)).toBe(murmurhash3_32(inputHashString(t)));
	});

	it('escapes one character anywhere in a long string exactly as in a short one (the native copy path)', () => {
		// Python's ensure_ascii: JSON.stringify's escapes, plus \uXXXX (lowercase) for every unit from U+007F up.
		const python = (s: string) => JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
		for (const length of [1, 15, 16, 17, 64]) {
			const plain = ' ~!#[]az'.repeat(8).slice(0, length);
			expect(inputHashString({ text: plain })).toBe(`text=${python(plain)}`);
			for (const special of ['"', '\\', '\n', '\u0000', '\u001f', '\u007f', 'é', '\ud800', '😀']) {
				for (const at of [0, length >> 1, length]) {
					const text = plain.slice(0, at) + special + plain.slice(at);
					expect(inputHashString({ text })).toBe(`text=${python(text)}`);
					expect(pythonJsonDumps({ [text]: text })).toBe(`{${python(text)}:${python(text)}}`);
				}
			}
		}
	});

	it('writes a non-ASCII custom key name before "=" as UTF-8, unescaped', () => {
		const options = { inputKeys: ['tëxt'], taskKeys: ['😀'] };
		const t = { 'tëxt': 'a', '😀': 1 };
		expect(inputHashString(t, options)).toBe('tëxt="a"');
		expect(getInputHash(t, options)).toBe(murmurhash3_32('tëxt="a"'));
		const inputHash = getInputHash(t, options);
		expect(getTaskHash(t, options)).toBe(murmurhash3_32(`${inputHash}😀=1`));
	});

	it('writes Python floats, bigints and integral numbers beyond 1e21 through the byte path', () => {
		const t = task('{"input":[10.0,-0.0,1e16,1e-05,1.5e300,5e-324,0.1,123456789012345678901234567890,-1e21]}');
		expect(inputHashString(t)).toBe('input=[10.0,-0.0,1e+16,1e-05,1.5e+300,5e-324,0.1,123456789012345678901234567890,-1e+21]');
		expect(inputHashString({ input: [1e21, -(2n ** 64n), 2 ** 53 + 2] })).toBe('input=[1000000000000000000000,-18446744073709551616,9007199254740994]');
	});

	it('grows its buffer for a large task (every unit escaped) and stays exact', () => {
		const text = 'é'.repeat(50_000);
		expect(inputHashString({ text })).toBe(`text="${'\\u00e9'.repeat(50_000)}"`);
		expect(getInputHash({ text })).toBe(murmurhash3_32(`text="${'\\u00e9'.repeat(50_000)}"`));
		// The shared buffer is reset between calls: a short task after a long one hashes as on its own.
		expect(getInputHash({ text: 'x' })).toBe(murmurhash3_32('text="x"'));
	});

	it('skips ignored keys while writing and keeps the fallback task (with its override) exact', () => {
		const t = { meta: { score: 1, keep: [{ rank: 2, y: 'é' }] }, answer: 'accept', _task_hash: 4 };
		expect(inputHashString(t)).toBe('{"_task_hash":4,"meta":{"keep":[{"y":"\\u00e9"}]}}');
		const inputHash = getInputHash(t);
		expect(taskHashString(t)).toBe(`${inputHash}{"_input_hash":${inputHash},"_task_hash":4,"meta":{"keep":[{"y":"\\u00e9"}]}}`);
	});

	it('refuses a task nested deeper than Prodigy can read back', () => {
		let deep: unknown = 'x';
		for (let i = 0; i < 1500; i++) deep = { d: deep };
		expect(() => setHashes({ text: 't', spans: [deep] })).toThrow('nested deeper than 1000 levels');
		let ok: unknown = 'x';
		for (let i = 0; i < 990; i++) ok = { d: ok };
		expect(() => setHashes({ text: 't', meta: ok })).not.toThrow();
	});
});

describe('Prodigy hash vectors', () => {
	it('has the vectors file (60 records)', () => {
		expect(vectors).toHaveLength(60);
	});

	it.each(vectors.map((v) => [v.source, v] as const))('%s', (_source, vector) => {
		const hashed = setHashes(task(vector.input_json));
		expect([hashed._input_hash, hashed._task_hash]).toEqual([vector.input_hash, vector.task_hash]);
	});

	it('covers every kind of case the vectors are tagged with', () => {
		const tags = new Set(vectors.flatMap((v) => v.tags));
		expect([...tags].sort()).toEqual(['nested-ignored-keys', 'non-ascii', 'task-fallback', 'top-level-ignored-keys']);
	});
});

describe('reference vectors and their hashed strings', () => {
	it.each([
		['{"text":"My name is Freya."}', 896529854, -1486695581],
		['{"text":"hi my name is 0","label":"foo"}', -784135307, -1606845795],
		['{"text":"hi my name is 0"}', -784135307, -978533357],
		['{"text":"pub","spans":[{"start":0,"end":3,"label":"Cuisine","token_start":0,"token_end":0}]}', 1671121895, -996202066],
	])('%s', (json, inputHash, taskHash) => {
		expect(getInputHash(task(json))).toBe(inputHash);
		expect(getTaskHash(task(json))).toBe(taskHash);
		expect(setHashes(task(json))).toEqual({ ...task(json), _input_hash: inputHash, _task_hash: taskHash });
	});

	it('builds the documented strings', () => {
		expect(inputHashString(task('{"text":"My name is Freya."}'))).toBe('text="My name is Freya."');
		expect(taskHashString(task('{"text":"hi my name is 0","label":"foo"}'))).toBe('-784135307label="foo"');
		expect(taskHashString(task('{"text":"hi my name is 0"}'))).toBe('-784135307{"_input_hash":-784135307,"text":"hi my name is 0"}');
		expect(taskHashString(task('{"text":"pub","spans":[{"start":0,"end":3,"label":"Cuisine","token_start":0,"token_end":0}]}'))).toBe(
			'1671121895spans=[{"end":3,"label":"Cuisine","start":0,"token_end":0,"token_start":0}]',
		);
		expect(murmurhash3_32('text="My name is Freya."')).toBe(896529854);
	});
});

describe('hashed strings (hand-derived)', () => {
	it('sorts astral keys by code point inside hashed values', () => {
		const t = { _input_hash: 1, text: 'x', label: { '\u{1F600}': 1, '\uffff': 2 } };
		expect(taskHashString(t)).toBe('1label={"\\uffff":2,"\\ud83d\\ude00":1}');
		expect(getTaskHash(t)).toBe(murmurhash3_32('1label={"\\uffff":2,"\\ud83d\\ude00":1}'));
	});

	it('escapes U+007F, non-ASCII and lone surrogates', () => {
		expect(inputHashString({ text: 'a\u007fbé\ud800' })).toBe('text="a\\u007fb\\u00e9\\ud800"');
	});

	it('writes floats as Python does, so 10.0 and 10 hash differently', () => {
		const floats = task('{"t":10.0,"u":5e-324,"v":1e22,"w":0.1,"x":1e16,"y":1e-05,"z":-0.0}');
		expect(inputHashString(floats)).toBe('{"t":10.0,"u":5e-324,"v":1e+22,"w":0.1,"x":1e+16,"y":1e-05,"z":-0.0}');
		expect(inputHashString(task('{"input":10.0}'))).toBe('input=10.0');
		expect(inputHashString({ input: 10 })).toBe('input=10');
		expect(getInputHash(task('{"input":10.0}'))).not.toBe(getInputHash({ input: 10 }));
	});

	it('keeps integers beyond 2^53 exact', () => {
		expect(inputHashString(task('{"input":9007199254740993}'))).toBe('input=9007199254740993');
		expect(taskHashString(task('{"_input_hash":7,"text":"t","label":12345678901234567890}'))).toBe('7label=12345678901234567890');
	});

	it('writes NaN and Infinity bare', () => {
		expect(inputHashString(task('{"input":[NaN,Infinity,-Infinity]}'))).toBe('input=[NaN,Infinity,-Infinity]');
	});

	it('counts a key whose value is null as present, one whose value is undefined as absent', () => {
		expect(inputHashString({ text: null })).toBe('text=null');
		expect(inputHashString({ text: undefined, html: '<b>' })).toBe('html="<b>"');
	});

	it('removes ignored keys at every depth, inside spans[i], nested lists and meta', () => {
		const t = task(
			'{"_input_hash":3,"text":"t","spans":[{"start":0,"end":1,"label":"A","score":0.5,"source":"m"},[{"rank":1,"x":1}]],"meta":{"score":0.9},"answer":"accept"}',
		);
		expect(taskHashString(t)).toBe('3spans=[{"end":1,"label":"A","start":0},[{"x":1}]]');
	});

	it('falls back to the whole filtered task when no input key / no task key is present', () => {
		const t = task('{"meta":{"score":0.9,"section":"s","deep":{"model":"m","k":[{"priority":1}]}},"answer":"accept","_view_id":"ner"}');
		const input = '{"meta":{"deep":{"k":[{}]},"section":"s"}}';
		expect(inputHashString(t)).toBe(input);
		const inputHash = murmurhash3_32(input);
		expect(taskHashString(t)).toBe(`${inputHash}{"_input_hash":${inputHash},"meta":{"deep":{"k":[{}]},"section":"s"}}`);
		expect(setHashes(t)).toMatchObject({ _input_hash: inputHash, _task_hash: murmurhash3_32(taskHashString(t)) });
	});

	it('concatenates several present keys in the configured order (unverified rule: no separator)', () => {
		expect(inputHashString({ image: 'b', text: 'a' })).toBe('text="a"image="b"');
		expect(taskHashString({ _input_hash: 2, options: [], label: 'L', spans: [] })).toBe('2spans=[]label="L"options=[]');
	});

	it('uses the review preset keys', () => {
		const t = { text: 't', options: [{ id: 1, text: 'A' }], accept: [1], label: 'L', _input_hash: 9 };
		const review = { ...HASH_PRESETS.review, overwrite: true };
		expect(inputHashString(t, review)).toBe('text="t"options=[{"id":1,"text":"A"}]');
		const reviewInput = murmurhash3_32('text="t"options=[{"id":1,"text":"A"}]');
		expect(taskHashString(t, review)).toBe(`${reviewInput}label="L"accept=[1]`);
		expect(setHashes(t, review)).toMatchObject({ _input_hash: reviewInput, _task_hash: murmurhash3_32(`${reviewInput}label="L"accept=[1]`) });
		expect(taskHashString(t)).toBe('9label="L"options=[{"id":1,"text":"A"}]');
		expect(HASH_PRESETS.default).toEqual({ inputKeys: [...DEFAULT_INPUT_KEYS], taskKeys: [...DEFAULT_TASK_KEYS], ignoreKeys: [...DEFAULT_IGNORE_KEYS] });
	});

	it('takes custom input, task and ignore keys', () => {
		const t = { question: 'q', verdict: 'yes', score: 1, text: 'ignored' };
		const options = { inputKeys: ['question'], taskKeys: ['verdict'], ignoreKeys: ['text'] };
		expect(inputHashString(t, options)).toBe('question="q"');
		expect(taskHashString(t, options)).toBe(`${murmurhash3_32('question="q"')}verdict="yes"`);
	});

	it('hashes a __proto__ key as an ordinary key and keeps it own in the result', () => {
		const t = task('{"__proto__":{"x":1},"answer":"accept"}');
		expect(inputHashString(t)).toBe('{"__proto__":{"x":1}}');
		const hashed = setHashes(t);
		expect(Object.getPrototypeOf(hashed)).toBe(Object.prototype);
		expect(Object.keys(hashed)).toEqual(['__proto__', 'answer', '_input_hash', '_task_hash']);
	});
});

describe('setHashes', () => {
	it('keeps carried hashes (2017–18 Prodigy used another scheme) and returns a new object', () => {
		const t = { text: 'x', _input_hash: 5, _task_hash: 6 };
		const hashed = setHashes(t);
		expect(hashed).toEqual(t);
		expect(hashed).not.toBe(t);
	});

	it('computes only the missing hash, prefixing the task string with a carried input hash', () => {
		expect(setHashes({ text: 'x', label: 'L', _input_hash: 5 })).toEqual({ text: 'x', label: 'L', _input_hash: 5, _task_hash: murmurhash3_32('5label="L"') });
		expect(setHashes({ text: 'x', label: 'L', _task_hash: 6 })).toEqual({ text: 'x', label: 'L', _task_hash: 6, _input_hash: murmurhash3_32('text="x"') });
		expect(getTaskHash({ text: 'x', label: 'L', _input_hash: 5n })).toBe(murmurhash3_32('5label="L"'));
	});

	it('recomputes carried hashes with overwrite, keeping their key positions', () => {
		const hashed = setHashes({ _input_hash: 1, _task_hash: 2, text: 'hi my name is 0', label: 'foo' }, { overwrite: true });
		expect(hashed).toEqual({ _input_hash: -784135307, _task_hash: -1606845795, text: 'hi my name is 0', label: 'foo' });
		expect(Object.keys(hashed)).toEqual(['_input_hash', '_task_hash', 'text', 'label']);
	});

	it('appends new keys at the end, like a Python dict', () => {
		expect(Object.keys(setHashes({ b: 1, text: 'x', a: 2 }))).toEqual(['b', 'text', 'a', '_input_hash', '_task_hash']);
	});

	it('never modifies its input', () => {
		const text = '{"text":"t","spans":[{"start":0,"end":1,"score":0.5}],"meta":{"score":1.0},"answer":"accept","_input_hash":1}';
		const input = task(text);
		const frozen = deepFreeze(task(text));
		const hashed = setHashes(frozen, { overwrite: true });
		expect(stringifyTask(frozen)).toBe(text);
		expect(frozen).toEqual(input);
		expect(hashed.spans).toEqual(input.spans);
	});

	it('rejects a task that is not an object, and a carried hash that is not an integer', () => {
		for (const bad of [null, [], 'text', 5, undefined]) {
			expect(() => setHashes(bad as unknown as Task)).toThrow(ProdigyInputError);
		}
		expect(() => setHashes([] as unknown as Task)).toThrow('A task must be a JSON object, got an array');
		expect(() => getInputHash(null as unknown as Task)).toThrow('got null');
		// A Date has no keys of its own: hashed, it would look like an empty task and collide with every other Date.
		expect(() => setHashes(new Date(0) as unknown as Task)).toThrow('A task must be a JSON object, got a Date');
		expect(() => setHashes({ text: 'x', label: 'L', _input_hash: 'abc' })).toThrow("The task's _input_hash must be an integer");
		expect(() => setHashes({ text: 'x', _input_hash: 1, _task_hash: 1.5 })).toThrow("The task's _task_hash must be an integer");
		expect(setHashes({ text: 'x', _input_hash: 'abc' }, { overwrite: true })._input_hash).toBe(murmurhash3_32('text="x"'));
	});
});

function deepFreeze<T>(value: T): T {
	if (typeof value === 'object' && value !== null) {
		for (const item of Object.values(value)) deepFreeze(item);
		Object.freeze(value);
	}
	return value;
}
