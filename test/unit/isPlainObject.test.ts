// lib's one plain-object check (isPlainObject, lib/json.ts, next to PyFloat) and one errorMessage, which replaced
// per-file copies in lib/cursor.ts, lib/paths.ts, lib/server.ts, lib/store/store.ts, lib/hashing.ts, lib/tasks.ts
// (isPlainObject) and lib/server.ts, lib/store/postgres.ts, lib/store/mysql.ts, lib/tasks.ts, nodes/shared/errors.ts,
// the Server transport (errorMessage).
import { runInNewContext } from 'node:vm';
import { errorMessage } from '../../lib/errors';
import { isPlainObject, parseJsonLossless, PyFloat } from '../../lib/json';

// The checks the copies made: cursor / paths / server tested "object, not null, not an array"; the store tested
// for Object.prototype or a null prototype.
const looseCopy = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);
const storeCopy = (value: unknown) =>
	looseCopy(value) && [Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null);

const JSON_TEXT =
	'[{"text":"a","meta":{"score":0.5,"n":1.0,"tags":["x",{"deep":null}]},"spans":[]},[],null,"s",1,2.0,true,{}]';

/** Every value inside `value`, itself included. */
function walk(value: unknown): unknown[] {
	if (Array.isArray(value)) return [value, ...value.flatMap(walk)];
	if (looseCopy(value) && !(value instanceof PyFloat)) return [value, ...Object.values(value as object).flatMap(walk)];
	return [value];
}

describe('isPlainObject', () => {
	it('answers like every former copy on values JSON.parse makes (n8n items, server replies, trigger state)', () => {
		for (const value of walk(JSON.parse(JSON_TEXT))) {
			expect([value, isPlainObject(value)]).toEqual([value, looseCopy(value)]);
			expect([value, isPlainObject(value)]).toEqual([value, storeCopy(value)]);
		}
	});

	it('answers like the store and the hashing copies on losslessly parsed values: a PyFloat is a number', () => {
		const values = walk(parseJsonLossless(JSON_TEXT));
		expect(values.filter((value) => value instanceof PyFloat)).toHaveLength(2);
		for (const value of values) {
			expect([value, isPlainObject(value)]).toEqual([value, storeCopy(value)]);
		}
	});

	it('accepts objects with a null prototype and objects made in another realm', () => {
		expect(isPlainObject(Object.create(null))).toBe(true);
		expect(isPlainObject(runInNewContext('({ text: "from a sandbox" })'))).toBe(true);
	});

	it('refuses built-ins that JSON would not give back as the same object', () => {
		for (const value of [new Date(0), Buffer.from('x'), new Map(), /x/, new PyFloat(1), [], null, undefined, 'x', 1]) {
			expect(isPlainObject(value)).toBe(false);
		}
	});
});

describe('errorMessage', () => {
	it('gives an error message, or the value as text', () => {
		expect(errorMessage(new TypeError('bad port'))).toBe('bad port');
		expect(errorMessage('plain text')).toBe('plain text');
		expect(errorMessage(undefined)).toBe('undefined');
		expect(errorMessage(new Error(''))).toBe('Error');
	});

	it('reads errors from another realm and error-like objects by their message', () => {
		expect(errorMessage(runInNewContext('new Error("from a sandbox")'))).toBe('from a sandbox');
		expect(errorMessage({ message: 'driver said no', code: 'X' })).toBe('driver said no');
	});

	it("gives an AggregateError's first inner message (a refused connection to every address)", () => {
		const refused = new AggregateError([new Error('connect ECONNREFUSED 127.0.0.1:1'), new Error('::1')], '');
		expect(errorMessage(refused)).toBe('connect ECONNREFUSED 127.0.0.1:1');
	});
});
