import { ContentTooLargeError, InvalidTaskError, ProdigyInputError } from '../../lib/errors';
import { HASH_PRESETS } from '../../lib/hashing';
import { parseJsonLossless, PyFloat, stringifyTask } from '../../lib/json';
import {
	applyMeta,
	buildTask,
	decodeTasksFile,
	hashOptionsFor,
	locateError,
	parseKeyList,
	prepareTask,
	requireContent,
	taskLocations,
} from '../../lib/tasks';

const defaults = { hashOptions: hashOptionsFor('default', false), contentLimit: null };
const prepared = (value: unknown, options: Parameters<typeof prepareTask>[1] = defaults) => prepareTask(value, options).task;

describe('buildTask', () => {
	it('builds a task from mapped fields in Prodigy field order', () => {
		const task = buildTask({
			contentField: 'text',
			content: 'Apple buys a startup',
			label: 'TECH',
			spans: '[{"start":0,"end":5,"label":"ORG"}]',
			options: [{ id: 'a', text: 'A' }],
			meta: { source: 'crm' },
		});
		expect(task).toEqual({
			text: 'Apple buys a startup',
			label: 'TECH',
			spans: [{ start: 0, end: 5, label: 'ORG' }],
			options: [{ id: 'a', text: 'A' }],
			meta: { source: 'crm' },
		});
		expect(Object.keys(task)).toEqual(['text', 'label', 'spans', 'options', 'meta']);
	});

	it('leaves out empty optional fields and uses the chosen content field', () => {
		expect(buildTask({ contentField: 'image', content: 'https://x/y.png', label: '', spans: '', options: undefined, meta: {} })).toEqual({
			image: 'https://x/y.png',
		});
	});

	it('rejects empty content and malformed spans', () => {
		expect(() => buildTask({ contentField: 'text', content: '  ' })).toThrow(new InvalidTaskError('The mapped text is empty'));
		expect(() => buildTask({ contentField: 'text', content: 'x', spans: '{"start":0}' })).toThrow(
			'The mapped spans must be a JSON array, got object',
		);
		expect(() => buildTask({ contentField: 'text', content: 'x', spans: '[{' })).toThrow(/The mapped spans are not valid JSON/);
	});
});

describe('applyMeta', () => {
	const task = { text: 'a', meta: { source: 'crm', id: 7 } };

	it('keeps the task\'s values by default and adds missing keys', () => {
		expect(applyMeta(task, { source: 'n8n', region: 'eu', fields: { team: 'legal' } })).toEqual({
			text: 'a',
			meta: { team: 'legal', region: 'eu', source: 'crm', id: 7 },
		});
	});

	it('overwrites with node precedence, and never modifies the input task', () => {
		const out = applyMeta(task, { source: 'n8n', precedence: 'node' });
		expect(out.meta).toEqual({ source: 'n8n', id: 7 });
		expect(task.meta).toEqual({ source: 'crm', id: 7 });
	});

	it('gives a task without meta the node meta, source and region winning over same-named fixed fields', () => {
		expect(applyMeta({ text: 'a' }, { source: 's', fields: { source: 'f', x: '1' } })).toEqual({ text: 'a', meta: { source: 's', x: '1' } });
		const untouched = { text: 'a' };
		expect(applyMeta(untouched, {})).toBe(untouched);
	});

	it('refuses a non-object meta', () => {
		expect(() => applyMeta({ text: 'a', meta: 'x' }, { source: 's' })).toThrow("The task's meta must be a JSON object, got a string");
	});
});

describe('prepareTask', () => {
	it('hashes like Prodigy (reference vectors) before meta and answer are added', () => {
		const task = prepared({ text: 'hi my name is 0' }, { ...defaults, defaultAnswer: 'accept', meta: { region: 'eu' } });
		expect(task).toEqual({
			text: 'hi my name is 0',
			_input_hash: -784135307,
			_task_hash: -978533357,
			meta: { region: 'eu' },
			answer: 'accept',
		});
	});

	it('keeps carried hashes and an existing answer unless told to overwrite hashes', () => {
		const carried = { text: 'hi my name is 0', label: 'foo', _input_hash: 1, _task_hash: 2, answer: 'reject' };
		expect(prepared(carried, { ...defaults, defaultAnswer: 'accept' })).toEqual(carried);
		expect(prepared(carried, { ...defaults, hashOptions: hashOptionsFor('default', true) })).toMatchObject({
			_input_hash: -784135307,
			_task_hash: -1606845795,
		});
	});

	it('keeps the float-vs-int distinction of losslessly parsed tasks (10.0 hashes differently from 10)', () => {
		const asFloat = prepared(parseJsonLossless('{"text":"a","label":"x","score2":10.0}'), defaults);
		const asInt = prepared({ text: 'a', label: 'x', score2: 10 }, { ...defaults, hashOptions: hashOptionsFor('custom', false, { taskKeys: ['score2'] }) });
		const asFloatCustom = prepared(parseJsonLossless('{"text":"a","label":"x","score2":10.0}'), {
			...defaults,
			hashOptions: hashOptionsFor('custom', false, { taskKeys: ['score2'] }),
		});
		expect(asFloat.score2).toBeInstanceOf(PyFloat);
		expect(asFloatCustom._task_hash).not.toBe(asInt._task_hash);
		expect(stringifyTask(asFloat)).toContain('"score2":10.0');
	});

	it('rejects non-objects, tasks without content and non-integer carried hashes', () => {
		expect(() => prepared([1], defaults)).toThrow('A task must be a JSON object, got an array');
		expect(() => prepared('x', defaults)).toThrow('A task must be a JSON object, got a string');
		expect(() => prepared({ label: 'x' }, defaults)).toThrow('The task has no "text" (nor image, html, input, audio, video)');
		expect(() => prepared({ text: 'x', _input_hash: 'abc', _task_hash: 1 }, defaults)).toThrow(ProdigyInputError);
	});

	it('refuses a Date (or another built-in) as the task or its meta, and keeps a Date inside a task as its ISO text', () => {
		// A Date as the task would hash as {} and be stored as a quoted string; as meta, Prodigy would get a string.
		expect(() => prepared(new Date(0), defaults)).toThrow('A task must be a JSON object, got a Date');
		expect(() => prepared(new Map([['text', 'a']]), defaults)).toThrow('A task must be a JSON object, got a Map');
		expect(() => prepared({ text: 'a', meta: new Date(0) })).toThrow("The task's meta must be a JSON object, got a Date");
		// A Date as a field value is JSON text, as JSON.stringify (and an n8n item) writes it.
		const row = prepareTask({ text: 'a', created: new Date(0) }, defaults);
		expect(row.task.created).toEqual(new Date(0));
		expect(row.content.toString('utf8')).toContain('"created":"1970-01-01T00:00:00.000Z"');
	});

	it('accepts the review preset\'s input keys as content', () => {
		const hashOptions = hashOptionsFor('review', false);
		expect(hashOptions.inputKeys).toEqual(HASH_PRESETS.review.inputKeys);
		expect(() => requireContent({ options: [{ id: 1 }] }, hashOptions.inputKeys!)).not.toThrow();
		expect(prepared({ audio: 'a.mp3' }, defaults)._input_hash).toEqual(expect.any(Number));
	});

	it('refuses content larger than the given column limit, counting UTF-8 bytes, and nothing without a limit', () => {
		const long = { text: 'é'.repeat(33_000) };
		const mysqlBlob = { ...defaults, contentLimit: 65_535 };
		expect(() => prepared(long, mysqlBlob)).toThrow(ContentTooLargeError);
		expect(() => prepared(long, mysqlBlob)).toThrow(/is 66,0\d\d bytes as JSON; the database's content column holds at most 65,535 bytes/);
		expect(() => prepared(long, defaults)).not.toThrow();
		const task = { text: 'é'.repeat(1000) };
		const bytes = prepareTask(task, defaults).content.length;
		expect(bytes).toBeGreaterThan(2000);
		expect(() => prepared(task, { ...defaults, contentLimit: bytes })).not.toThrow();
		expect(() => prepared(task, { ...defaults, contentLimit: bytes - 1 })).toThrow(ContentTooLargeError);
	});

	it('serialises once: the content bytes are the stored task, the hashes its column values', () => {
		const row = prepareTask(parseJsonLossless('{"text":"café","n":10.0}'), { ...defaults, defaultAnswer: 'accept' });
		expect(row.content.toString('utf8')).toBe(`{"text":"café","n":10.0,"_input_hash":${row.inputHash},"_task_hash":${row.taskHash},"answer":"accept"}`);
		expect(row.content).toEqual(Buffer.from(stringifyTask(row.task), 'utf8'));
	});

	it('refuses a meta that is not an object even when the node sets no meta', () => {
		expect(() => prepared({ text: 'a', meta: 'oops' })).toThrow("The task's meta must be a JSON object, got a string");
		expect(() => prepared({ text: 'a', meta: [1] }, { ...defaults, meta: {} })).toThrow("The task's meta must be a JSON object, got an array");
		expect(prepared({ text: 'a', meta: null })).toMatchObject({ meta: null });
	});

	it('refuses a task nested deeper than Prodigy can read back, and a value JSON cannot hold', () => {
		let deep: unknown = 'x';
		for (let i = 0; i < 1500; i++) deep = { d: deep };
		expect(() => prepared({ text: 'a', meta: { deep } })).toThrow('The data is nested deeper than 1000 levels');
		expect(() => prepared({ text: 'a', meta: { f: () => 1 } })).toThrow(InvalidTaskError);
		expect(() => prepared({ text: 'a', _input_hash: 2n ** 64n, _task_hash: 1 })).toThrow("The task's _input_hash must be an integer, got 18446744073709551616");
	});
});

describe('decodeTasksFile', () => {
	it('decodes UTF-8 and names the first line that is not UTF-8', () => {
		expect(decodeTasksFile(Buffer.from('{"text":"café"}\n', 'utf8'), 'a.jsonl')).toBe('{"text":"café"}\n');
		const latin1 = Buffer.concat([Buffer.from('{"text":"ok"}\n\n{"text":"caf', 'utf8'), Buffer.from([0xe9]), Buffer.from('"}\n', 'utf8')]);
		expect(() => decodeTasksFile(latin1, 'tasks.jsonl')).toThrow('tasks.jsonl line 3: the file is not valid UTF-8');
		expect(() => decodeTasksFile(Buffer.from([0x7b, 0xff]), 'x.json')).toThrow(InvalidTaskError);
	});
});

describe('helpers', () => {
	it('parses key lists and builds custom hash options', () => {
		expect(parseKeyList(' text, label ,,spans ')).toEqual(['text', 'label', 'spans']);
		expect(hashOptionsFor('custom', true, { inputKeys: ['body'], taskKeys: [] })).toMatchObject({
			inputKeys: ['body'],
			taskKeys: HASH_PRESETS.default.taskKeys,
			overwrite: true,
		});
	});

	it('locates tasks in a file for error messages', () => {
		expect(taskLocations('{"a":1}\n\n{"b":2}\n', 2)).toEqual(['line 1', 'line 3']);
		expect(taskLocations('\ufeff [{"a":1},{"b":2}]', 2)).toEqual(['task 1', 'task 2']);
	});

	it('prefixes task errors with their location, keeping class and hint', () => {
		const located = locateError(new ContentTooLargeError('too big', { hint: 'split' }), 'line 4');
		expect(located).toBeInstanceOf(ContentTooLargeError);
		expect(located).toMatchObject({ message: 'line 4: too big', hint: 'split' });
		const plain = new Error('disk full');
		expect(locateError(plain, 'line 1')).toBe(plain);
	});
});
