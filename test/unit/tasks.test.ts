import { ContentTooLargeError, InvalidTaskError, ProdigyInputError } from '../../lib/errors';
import { HASH_PRESETS } from '../../lib/hashing';
import { parseJsonLossless, PyFloat, stringifyTask } from '../../lib/json';
import {
	applyMeta,
	buildTask,
	checkContentSize,
	hashOptionsFor,
	locateError,
	parseKeyList,
	prepareTask,
	requireContent,
	taskLocations,
} from '../../lib/tasks';

const defaults = { hashOptions: hashOptionsFor('default', false), backend: 'sqlite' as const };

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
		const task = prepareTask({ text: 'hi my name is 0' }, { ...defaults, defaultAnswer: 'accept', meta: { region: 'eu' } });
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
		expect(prepareTask(carried, { ...defaults, defaultAnswer: 'accept' })).toEqual(carried);
		expect(prepareTask(carried, { ...defaults, hashOptions: hashOptionsFor('default', true) })).toMatchObject({
			_input_hash: -784135307,
			_task_hash: -1606845795,
		});
	});

	it('keeps the float-vs-int distinction of losslessly parsed tasks (10.0 hashes differently from 10)', () => {
		const asFloat = prepareTask(parseJsonLossless('{"text":"a","label":"x","score2":10.0}'), defaults);
		const asInt = prepareTask({ text: 'a', label: 'x', score2: 10 }, { ...defaults, hashOptions: hashOptionsFor('custom', false, { taskKeys: ['score2'] }) });
		const asFloatCustom = prepareTask(parseJsonLossless('{"text":"a","label":"x","score2":10.0}'), {
			...defaults,
			hashOptions: hashOptionsFor('custom', false, { taskKeys: ['score2'] }),
		});
		expect(asFloat.score2).toBeInstanceOf(PyFloat);
		expect(asFloatCustom._task_hash).not.toBe(asInt._task_hash);
		expect(stringifyTask(asFloat)).toContain('"score2":10.0');
	});

	it('rejects non-objects, tasks without content and non-integer carried hashes', () => {
		expect(() => prepareTask([1], defaults)).toThrow('A task must be a JSON object, got an array');
		expect(() => prepareTask('x', defaults)).toThrow('A task must be a JSON object, got a string');
		expect(() => prepareTask({ label: 'x' }, defaults)).toThrow('The task has no "text" (nor image, html, input, audio, video)');
		expect(() => prepareTask({ text: 'x', _input_hash: 'abc', _task_hash: 1 }, defaults)).toThrow(ProdigyInputError);
	});

	it('accepts the review preset\'s input keys as content', () => {
		const hashOptions = hashOptionsFor('review', false);
		expect(hashOptions.inputKeys).toEqual(HASH_PRESETS.review.inputKeys);
		expect(() => requireContent({ options: [{ id: 1 }] }, hashOptions.inputKeys!)).not.toThrow();
		expect(prepareTask({ audio: 'a.mp3' }, defaults)._input_hash).toEqual(expect.any(Number));
	});

	it('refuses content MySQL cannot store, and only on MySQL', () => {
		const long = { text: 'é'.repeat(33_000) };
		expect(() => prepareTask(long, { ...defaults, backend: 'mysql' })).toThrow(ContentTooLargeError);
		expect(() => prepareTask(long, { ...defaults, backend: 'mysql' })).toThrow(/is 66,0\d\d bytes as JSON; Prodigy's mysql database stores at most 65,535 bytes/);
		expect(() => checkContentSize(long, 'postgres')).not.toThrow();
		const fits = { text: 'a'.repeat(65_535 - stringifyTask({ text: '' }).length) };
		expect(() => checkContentSize(fits, 'mysql')).not.toThrow();
		expect(() => checkContentSize({ text: `${fits.text}a` }, 'mysql')).toThrow(ContentTooLargeError);
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
