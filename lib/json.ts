// JSON as Python (and so Prodigy) sees it. Prodigy hashes `json.dumps(..., sort_keys=True)` of what
// `json.loads` returned, and Python keeps distinctions JavaScript loses: `10.0` is a float and prints as `10.0`,
// integers have any size, NaN / Infinity are accepted. Tasks parsed from JSON text keep these distinctions here.
// Known loss: JavaScript objects list integer-like keys ("2") before other keys, so stringifyTask cannot keep
// the insertion order of such keys (hashes are unaffected: they sort keys).
import { InvalidTaskError, ProdigyInputError } from './errors';
import type { JsonObject } from './store/types';

/** A JSON float whose value is integral (`10.0`, `-0.0`, `1e16`): Python keeps it a float, JavaScript would not. */
export class PyFloat {
	constructor(readonly value: number) {}
	/** So that a plain JSON.stringify of a parsed task still writes a number. */
	toJSON(): number {
		return this.value;
	}
}

/**
 * The one test for "is this a JSON object" over values that came from JSON: n8n items, parsed tasks and meta, server
 * replies, saved trigger state. True for a plain object such as JSON.parse makes. False for null, arrays, built-ins
 * (Date, Buffer, Map...) and PyFloat, which stands for a JSON number (`1.0`) and must be hashed, written and
 * traversed as one. Compares the built-in tag rather than the prototype, so objects made in another realm (a Code
 * node's sandbox) still count.
 */
export function isPlainObject(value: unknown): value is JsonObject {
	return Object.prototype.toString.call(value) === '[object Object]' && !(value instanceof PyFloat);
}

/** What a non-plain object is, for an error message: "a Date", "a Map"; a PyFloat is "a number". */
export function builtinKind(value: object): string {
	return value instanceof PyFloat ? 'a number' : `a ${Object.prototype.toString.call(value).slice(8, -1)}`;
}

/** Bad JSON text; `position` is the 0-based offset in the text. */
export class JsonSyntaxError extends SyntaxError {
	constructor(
		message: string,
		readonly position: number,
	) {
		super(message);
		this.name = 'JsonSyntaxError';
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
// JSON (and Python's strict json.loads) forbids raw control characters in strings: they end the plain run.
// eslint-disable-next-line no-control-regex
const PLAIN_STRING_CHARS = /[^"\\\u0000-\u001f]*/y;
const SHORT_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Assigns like Python's dict: a duplicate key keeps its first position and takes the last value;
 * `__proto__` becomes an ordinary own property instead of replacing the prototype (Python dicts have none, and
 * Prodigy stores the key like any other). Use it wherever a key may come from data. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
	if (key === '__proto__') {
		Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
	} else {
		target[key] = value;
	}
}

function parseNumber(source: string): number | bigint | PyFloat {
	const isFloat = /[.eE]/.test(source);
	const value = Number(source);
	if (isFloat) return Number.isInteger(value) || Object.is(value, -0) ? new PyFloat(value) : value;
	if (Number.isSafeInteger(value)) return value === 0 ? 0 : value; // Python ints have no -0
	return BigInt(source);
}

// Python's json.loads stops near 1000 levels (its recursion limit), so Prodigy never holds deeper data;
// the limit also keeps this recursive parser (and the writers) far from JavaScript's stack limit.
const MAX_DEPTH = 1000;

class Parser {
	private pos = 0;
	private depth = 0;
	constructor(private readonly text: string) {}

	parseDocument(): unknown {
		this.skipWhitespace();
		const value = this.parseValue();
		this.skipWhitespace();
		if (this.pos < this.text.length) this.fail('Unexpected data after the JSON value');
		return value;
	}

	private fail(message: string, at = this.pos): never {
		const before = this.text.slice(0, at);
		const line = before.split('\n').length;
		const column = at - before.lastIndexOf('\n');
		const found = at < this.text.length ? ` ${JSON.stringify(this.text[at])}` : '';
		throw new JsonSyntaxError(`${message}${found} at position ${at} (line ${line}, column ${column})`, at);
	}

	private skipWhitespace(): void {
		const text = this.text;
		let c = text.charCodeAt(this.pos);
		while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++this.pos);
	}

	private expectWord(word: string): void {
		if (!this.text.startsWith(word, this.pos)) this.fail('Unexpected token');
		this.pos += word.length;
	}

	private parseValue(): unknown {
		switch (this.text[this.pos]) {
			case '{':
				return this.parseNested(() => this.parseObject());
			case '[':
				return this.parseNested(() => this.parseArray());
			case '"':
				return this.parseString();
			case 't':
				this.expectWord('true');
				return true;
			case 'f':
				this.expectWord('false');
				return false;
			case 'n':
				this.expectWord('null');
				return null;
			// Python's json.loads accepts these three by default (allow_nan).
			case 'N':
				this.expectWord('NaN');
				return NaN;
			case 'I':
				this.expectWord('Infinity');
				return Infinity;
			case undefined:
				return this.fail('Unexpected end of JSON input');
		}
		if (this.text.startsWith('-Infinity', this.pos)) {
			this.pos += 9;
			return -Infinity;
		}
		NUMBER.lastIndex = this.pos;
		const match = NUMBER.exec(this.text);
		if (!match) return this.fail('Unexpected token');
		this.pos = NUMBER.lastIndex;
		return parseNumber(match[0]);
	}

	private parseNested<T>(parse: () => T): T {
		if (++this.depth > MAX_DEPTH) this.fail(`Nesting deeper than ${MAX_DEPTH} levels`);
		const value = parse();
		this.depth--;
		return value;
	}

	private parseObject(): Record<string, unknown> {
		const result: Record<string, unknown> = {};
		this.pos++;
		this.skipWhitespace();
		if (this.text[this.pos] === '}') {
			this.pos++;
			return result;
		}
		for (;;) {
			if (this.text[this.pos] !== '"') this.fail('Expected a property name');
			const key = this.parseString();
			this.skipWhitespace();
			if (this.text[this.pos] !== ':') this.fail("Expected ':'");
			this.pos++;
			this.skipWhitespace();
			setOwn(result, key, this.parseValue());
			this.skipWhitespace();
			const next = this.text[this.pos++];
			if (next === '}') return result;
			if (next !== ',') this.fail("Expected ',' or '}'", this.pos - 1);
			this.skipWhitespace();
		}
	}

	private parseArray(): unknown[] {
		const result: unknown[] = [];
		this.pos++;
		this.skipWhitespace();
		if (this.text[this.pos] === ']') {
			this.pos++;
			return result;
		}
		for (;;) {
			result.push(this.parseValue());
			this.skipWhitespace();
			const next = this.text[this.pos++];
			if (next === ']') return result;
			if (next !== ',') this.fail("Expected ',' or ']'", this.pos - 1);
			this.skipWhitespace();
		}
	}

	private parseString(): string {
		const text = this.text;
		let result = '';
		this.pos++;
		for (;;) {
			PLAIN_STRING_CHARS.lastIndex = this.pos;
			PLAIN_STRING_CHARS.exec(text);
			result += text.slice(this.pos, PLAIN_STRING_CHARS.lastIndex);
			this.pos = PLAIN_STRING_CHARS.lastIndex;
			const c = text[this.pos];
			if (c === '"') {
				this.pos++;
				return result;
			}
			if (c === undefined) this.fail('Unterminated string');
			if (c !== '\\') this.fail('Bad control character in string');
			const escape = text[this.pos + 1];
			if (escape === 'u') {
				const hex = text.slice(this.pos + 2, this.pos + 6);
				if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('Bad \\u escape');
				// Lone surrogates are kept, like Python does.
				result += String.fromCharCode(parseInt(hex, 16));
				this.pos += 6;
			} else {
				const short = escape === undefined ? undefined : SHORT_ESCAPES[escape];
				if (short === undefined) this.fail('Bad escape', this.pos + 1);
				result += short;
				this.pos += 2;
			}
		}
	}
}

/**
 * Parses JSON text into what Python's json.loads would return: integral floats as PyFloat, integers beyond
 * Number.MAX_SAFE_INTEGER as bigint, NaN / Infinity / -Infinity accepted, duplicate keys last-wins.
 */
export function parseJsonLossless(text: string): unknown {
	return new Parser(text).parseDocument();
}

/** Parses user-supplied text: a syntax error becomes a ProdigyInputError (the user can fix it). */
function parseInput(text: string, context: string, index?: number): unknown {
	let failure: unknown;
	try {
		return parseJsonLossless(text);
	} catch (error) {
		failure = error;
	}
	if (failure instanceof JsonSyntaxError) throw new ProdigyInputError(`${context}: ${failure.message}`, { index });
	throw failure;
}

/** JSON Lines, lossless; blank lines skipped, a leading BOM tolerated. */
export function parseJsonLines(text: string): unknown[] {
	const result: unknown[] = [];
	stripBom(text)
		.split('\n')
		.forEach((line, i) => {
			if (line.trim() !== '') result.push(parseInput(line, `Invalid JSON on line ${i + 1}`, i));
		});
	return result;
}

/** A tasks file as Prodigy accepts it: one JSON array, or JSON Lines. */
export function parseTasksFile(text: string): unknown[] {
	const body = stripBom(text);
	return body.trimStart().startsWith('[') ? (parseInput(body, 'Invalid JSON') as unknown[]) : parseJsonLines(body);
}

function stripBom(text: string): string {
	return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

/** Python's float repr: shortest round-trip digits, exponent form when exponent < -4 or >= 16. */
export function pythonFloatRepr(value: number): string {
	if (Number.isNaN(value)) return 'NaN';
	if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
	const sign = value < 0 || Object.is(value, -0) ? '-' : '';
	const [mantissa, exponentText] = Math.abs(value).toExponential().split('e');
	const digits = mantissa.replace('.', '');
	const exponent = Number(exponentText);
	if (exponent < -4 || exponent >= 16) {
		const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
		const expSign = exponent < 0 ? '-' : '+';
		return `${sign}${digits[0]}${fraction}e${expSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
	}
	if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
	const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
	const fraction = digits.slice(exponent + 1) || '0';
	return `${sign}${whole}.${fraction}`;
}

function numberToJson(value: number): string {
	if (!Number.isInteger(value)) return pythonFloatRepr(value);
	// An integral JS number is taken as a Python int, written out in full (String(1e21) would be "1e+21").
	return Math.abs(value) < 1e21 ? String(value) : BigInt(value).toString();
}

/** Orders strings by Unicode code point like Python; JavaScript's default sort compares UTF-16 units. */
export function compareCodePoints(a: string, b: string): number {
	const n = Math.min(a.length, b.length);
	for (let i = 0; i < n; ) {
		const x = a.codePointAt(i) as number;
		const y = b.codePointAt(i) as number;
		if (x !== y) return x - y;
		i += x > 0xffff ? 2 : 1;
	}
	return a.length - b.length;
}

// Python's json.loads cannot read deeper data back (see MAX_DEPTH): a writer refuses it rather than store data
// that neither Prodigy nor this pack could read again.
function tooDeep(): never {
	throw new InvalidTaskError(`The data is nested deeper than ${MAX_DEPTH} levels`, {
		hint: "Prodigy (Python's json module) cannot read data nested this deeply: flatten the deepest field.",
	});
}

const EMPTY_SET: ReadonlySet<string> = new Set();
const SURROGATE_OR_ABOVE = /[\ud800-\uffff]/;
const HEX_DIGITS = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]; // 0-9a-f
// Python's short escapes for the control characters that have one (\b \t \n \f \r), by char code.
const SHORT_ESCAPE_LETTER: Record<number, number> = { 8: 98, 9: 116, 10: 110, 12: 102, 13: 114 };
// The units ensure_ascii writes as themselves: printable ASCII but the quote and the backslash.
const UNESCAPED_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const NATIVE_COPY_FROM = 16;

/**
 * Keys sorted by code point, in place. Comparing strings compares UTF-16 units, which differs from code points only
 * once a key has a unit ≥ U+D800; such keys are rare and take the slower comparator. A task's objects have a few
 * keys each, where an insertion sort is several times faster than Array.prototype.sort (hashing's hot path).
 */
function sortedKeys(keys: string[]): string[] {
	if (keys.length > 16) keys.sort();
	else {
		for (let i = 1; i < keys.length; i++) {
			const key = keys[i];
			let j = i - 1;
			for (; j >= 0 && keys[j] > key; j--) keys[j + 1] = keys[j];
			keys[j + 1] = key;
		}
	}
	for (const key of keys) if (SURROGATE_OR_ABOVE.test(key)) return keys.sort(compareCodePoints);
	return keys;
}

/**
 * Python's `json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)` written straight into
 * bytes in one pass: ensure_ascii output is pure ASCII, so every unit is one byte and the bytes MurmurHash reads
 * need no string and no UTF-8 encoding pass. Keys in `ignore` are skipped at every depth while writing (Prodigy
 * removes them before hashing), so no filtered copy of the task is made.
 */
export class PyJsonWriter {
	// A Buffer for its native latin1 write (string's fast path); not from the shared pool, it is reused for long.
	bytes = Buffer.allocUnsafeSlow(4096);
	length = 0;

	reset(): void {
		this.length = 0;
	}

	/** The bytes written so far as text (UTF-8: a hashed key name may be non-ASCII). */
	text(): string {
		return this.bytes.toString('utf8', 0, this.length);
	}

	private reserve(extra: number): void {
		const needed = this.length + extra;
		if (needed <= this.bytes.length) return;
		const grown = Buffer.allocUnsafeSlow(Math.max(needed, this.bytes.length * 2));
		this.bytes.copy(grown, 0, 0, this.length);
		this.bytes = grown;
	}

	byte(code: number): void {
		this.reserve(1);
		this.bytes[this.length++] = code;
	}

	/** Text known to be ASCII (numbers, literals). */
	ascii(text: string): void {
		const n = text.length;
		this.reserve(n);
		const bytes = this.bytes;
		let at = this.length;
		for (let i = 0; i < n; i++) bytes[at++] = text.charCodeAt(i);
		this.length = at;
	}

	/** Text as raw UTF-8, unescaped (the `key=` prefix of a hashed piece). */
	utf8(text: string): void {
		const n = text.length;
		this.reserve(n * 3);
		const bytes = this.bytes;
		const start = this.length;
		// A key name is short and nearly always ASCII: copied unit by unit, the encoder only when it is not.
		for (let i = 0; i < n; i++) {
			const c = text.charCodeAt(i);
			if (c >= 0x80) {
				this.length = start + bytes.write(text, start, 'utf8');
				return;
			}
			bytes[start + i] = c;
		}
		this.length = start + n;
	}

	/** A JSON string, ensure_ascii: every unit outside U+0020–U+007E escaped, lowercase hex, lone surrogates too. */
	string(value: string): void {
		const n = value.length;
		this.reserve(n * 6 + 2);
		const bytes = this.bytes;
		let at = this.length;
		bytes[at++] = 0x22;
		// Most text needs no escape at all: one native check and one native copy instead of a loop per unit
		// (hashing's hot path). Short strings (keys, labels) are cheaper in the loop.
		if (n >= NATIVE_COPY_FROM && UNESCAPED_ASCII.test(value)) {
			at += bytes.write(value, at, n, 'latin1');
			bytes[at++] = 0x22;
			this.length = at;
			return;
		}
		for (let i = 0; i < n; i++) {
			const c = value.charCodeAt(i);
			if (c >= 0x20 && c < 0x7f) {
				if (c === 0x22 || c === 0x5c) bytes[at++] = 0x5c;
				bytes[at++] = c;
				continue;
			}
			bytes[at++] = 0x5c;
			const letter = SHORT_ESCAPE_LETTER[c];
			if (letter !== undefined) {
				bytes[at++] = letter;
				continue;
			}
			bytes[at++] = 0x75; // u
			bytes[at++] = HEX_DIGITS[c >>> 12];
			bytes[at++] = HEX_DIGITS[(c >>> 8) & 15];
			bytes[at++] = HEX_DIGITS[(c >>> 4) & 15];
			bytes[at++] = HEX_DIGITS[c & 15];
		}
		bytes[at++] = 0x22;
		this.length = at;
	}

	/**
	 * Writes `value`; false (nothing written) for undefined, which an object skips and a list writes as null.
	 * `depth` counts the containers around `value`; `override` replaces (or adds) one key of this object.
	 */
	value(value: unknown, ignore: ReadonlySet<string>, depth: number, override?: { key: string; value: unknown }): boolean {
		switch (typeof value) {
			case 'string':
				this.string(value);
				return true;
			case 'number':
				this.ascii(numberToJson(value));
				return true;
			case 'bigint':
				this.ascii(value.toString());
				return true;
			case 'boolean':
				this.ascii(value ? 'true' : 'false');
				return true;
			case 'undefined':
				return false;
			case 'function':
			case 'symbol':
				throw new TypeError(`Cannot write a ${typeof value} as JSON`);
		}
		if (value === null) {
			this.ascii('null');
			return true;
		}
		if (value instanceof PyFloat) {
			this.ascii(pythonFloatRepr(value.value));
			return true;
		}
		if (++depth > MAX_DEPTH) tooDeep();
		if (Array.isArray(value)) {
			this.byte(0x5b);
			for (let i = 0; i < value.length; i++) {
				if (i > 0) this.byte(0x2c);
				if (!this.value(value[i], ignore, depth)) this.ascii('null');
			}
			this.byte(0x5d);
			return true;
		}
		const withToJson = value as { toJSON?: () => unknown };
		if (typeof withToJson.toJSON === 'function' && override === undefined) return this.value(withToJson.toJSON(), ignore, depth - 1);
		const record = value as Record<string, unknown>;
		const keys = keptKeys(record, ignore);
		if (override && !Object.prototype.hasOwnProperty.call(record, override.key)) keys.push(override.key);
		this.byte(0x7b);
		let first = true;
		for (const key of sortedKeys(keys)) {
			const start = this.length;
			if (!first) this.byte(0x2c);
			this.string(key);
			this.byte(0x3a);
			if (this.value(override?.key === key ? override.value : record[key], ignore, depth)) first = false;
			else this.length = start; // undefined: the key is not written at all
		}
		this.byte(0x7d);
		return true;
	}
}

/** The object's keys but the ignored ones; the list is copied only when a key is dropped (hashing's hot path). */
function keptKeys(record: Record<string, unknown>, ignore: ReadonlySet<string>): string[] {
	const keys = Object.keys(record);
	if (ignore.size === 0) return keys;
	for (const key of keys) if (ignore.has(key)) return keys.filter((kept) => !ignore.has(kept));
	return keys;
}

// Hashing and pythonJsonDumps write into one reused buffer; a nested call (a toJSON that dumps) gets its own.
let shared: PyJsonWriter | undefined = new PyJsonWriter();

/** Runs `work` with a reset writer, reusing the module's buffer when it is free. */
export function withPyJsonWriter<T>(work: (writer: PyJsonWriter) => T): T {
	const writer = shared ?? new PyJsonWriter();
	shared = undefined;
	writer.reset();
	try {
		return work(writer);
	} finally {
		if (writer.bytes.length <= 1 << 20) shared = writer; // do not keep a huge buffer alive
		else shared ??= new PyJsonWriter();
	}
}

// Content keeps the task's key order and its characters as UTF-8: JSON.stringify's string escaping is what
// Python's ensure_ascii=False writes, except that lone surrogates become \udXXX escapes (Python would fail to
// encode them as UTF-8).
function writeContent(value: unknown, depth: number): string | undefined {
	switch (typeof value) {
		case 'string':
			return JSON.stringify(value);
		case 'number':
			return numberToJson(value);
		case 'bigint':
			return value.toString();
		case 'boolean':
			return value ? 'true' : 'false';
		case 'undefined':
			return undefined;
		case 'function':
		case 'symbol':
			throw new TypeError(`Cannot write a ${typeof value} as JSON`);
	}
	if (value === null) return 'null';
	if (value instanceof PyFloat) return pythonFloatRepr(value.value);
	if (++depth > MAX_DEPTH) tooDeep();
	if (Array.isArray(value)) {
		let out = '[';
		for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + (writeContent(value[i], depth) ?? 'null');
		return `${out}]`;
	}
	const withToJson = value as { toJSON?: () => unknown };
	if (typeof withToJson.toJSON === 'function') return writeContent(withToJson.toJSON(), depth - 1);
	const record = value as Record<string, unknown>;
	let out = '{';
	for (const key of Object.keys(record)) {
		const item = writeContent(record[key], depth);
		if (item !== undefined) out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${item}`;
	}
	return `${out}}`;
}

/** Exactly Python's `json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)`. */
export function pythonJsonDumps(value: unknown): string {
	return withPyJsonWriter((writer) => {
		if (!writer.value(value, EMPTY_SET, 0)) undefinedAtTop();
		return writer.text();
	});
}

/**
 * Whether JSON.stringify would write `value` exactly as writeContent does. It does unless the value holds a Python
 * float (PyFloat), a bigint, NaN / Infinity, an integer JSON.stringify writes with an exponent (≥ 1e21), a float
 * Python writes with an exponent where JavaScript does not (below 1e-4), a function or symbol (an error here),
 * an object with toJSON (left to writeContent) or nesting beyond the reader's limit.
 */
function plainJson(value: unknown, depth: number): boolean {
	switch (typeof value) {
		case 'string':
		case 'boolean':
		case 'undefined':
			return true;
		case 'number':
			return Number.isInteger(value) ? Math.abs(value) < 1e21 : Number.isFinite(value) && Math.abs(value) >= 1e-4;
		case 'object':
			break;
		default:
			return false;
	}
	if (value === null) return true;
	if (++depth > MAX_DEPTH) return false;
	if (Array.isArray(value)) {
		for (let i = 0; i < value.length; i++) if (!plainJson(value[i], depth)) return false;
		return true;
	}
	if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false; // PyFloat included
	for (const key in value) {
		if (Object.prototype.hasOwnProperty.call(value, key) && !plainJson((value as Record<string, unknown>)[key], depth)) return false;
	}
	return true;
}

/**
 * Compact UTF-8 JSON for Prodigy's `content` column; round-trips through parseJsonLossless unchanged. Refuses
 * data nested deeper than the reader accepts. Most tasks hold nothing JSON.stringify writes differently, so a
 * cheap check lets the native writer do the work.
 */
export function stringifyTask(value: unknown): string {
	if (typeof value === 'object' && value !== null && plainJson(value, 0)) return JSON.stringify(value);
	return writeContent(value, 0) ?? undefinedAtTop();
}

function undefinedAtTop(): never {
	throw new TypeError('Cannot write undefined as JSON');
}

/** A copy that n8n items can carry: PyFloat → number, bigint → number when exact, else its decimal string. */
export function toPlainJson(value: unknown): unknown {
	if (value instanceof PyFloat) return value.value;
	if (typeof value === 'bigint') {
		const asNumber = Number(value);
		return Number.isSafeInteger(asNumber) ? asNumber : value.toString();
	}
	if (Array.isArray(value)) return value.map(toPlainJson);
	if (typeof value !== 'object' || value === null) return value;
	const copy: Record<string, unknown> = {};
	for (const [key, item] of Object.entries(value)) setOwn(copy, key, toPlainJson(item));
	return copy;
}
