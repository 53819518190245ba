// JSON as Python (and so Prodigy) sees it. Prodigy hashes `json.dumps(..., sort_keys=True)` of what
// `json.loads` returned, and Python keeps distinctions JavaScript loses: `10.0` is a float and prints as `10.0`,
// integers have any size, NaN / Infinity are accepted. Tasks parsed from JSON text keep these distinctions here.
// Known loss: JavaScript objects list integer-like keys ("2") before other keys, so stringifyTask cannot keep
// the insertion order of such keys (hashes are unaffected: they sort keys).
import { ProdigyInputError } from './errors';

/** A JSON float whose value is integral (`10.0`, `-0.0`, `1e16`): Python keeps it a float, JavaScript would not. */
export class PyFloat {
	constructor(readonly value: number) {}
	/** So that a plain JSON.stringify of a parsed task still writes a number. */
	toJSON(): number {
		return this.value;
	}
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
 * `__proto__` becomes an ordinary own property instead of replacing the prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
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

const NEEDS_ESCAPE = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g;
const SHORT_ESCAPED: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

function escapeAscii(c: string): string {
	return SHORT_ESCAPED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Python's ensure_ascii string: every UTF-16 unit outside U+0020–U+007E escaped, lowercase hex. */
function asciiString(value: string): string {
	return `"${value.replace(NEEDS_ESCAPE, escapeAscii)}"`;
}

interface WriteStyle {
	sortKeys: boolean;
	string: (value: string) => string;
}

function write(value: unknown, style: WriteStyle): string | undefined {
	switch (typeof value) {
		case 'string':
			return style.string(value);
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
	if (Array.isArray(value)) return `[${value.map((item) => write(item, style) ?? 'null').join(',')}]`;
	const withToJson = value as { toJSON?: () => unknown };
	if (typeof withToJson.toJSON === 'function') return write(withToJson.toJSON(), style);
	const record = value as Record<string, unknown>;
	const keys = Object.keys(record);
	if (style.sortKeys) keys.sort(compareCodePoints);
	const parts: string[] = [];
	for (const key of keys) {
		const item = write(record[key], style);
		if (item !== undefined) parts.push(`${style.string(key)}:${item}`);
	}
	return `{${parts.join(',')}}`;
}

const PYTHON_DUMPS: WriteStyle = { sortKeys: true, string: asciiString };
// JSON.stringify's string escaping is what Python's ensure_ascii=False writes, except that lone surrogates
// become \udXXX escapes (Python would fail to encode them as UTF-8).
const TASK_CONTENT: WriteStyle = { sortKeys: false, string: (value) => JSON.stringify(value) };

/** Exactly Python's `json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)`. */
export function pythonJsonDumps(value: unknown): string {
	return write(value, PYTHON_DUMPS) ?? undefinedAtTop();
}

/** Compact UTF-8 JSON for Prodigy's `content` column; round-trips through parseJsonLossless unchanged. */
export function stringifyTask(value: unknown): string {
	return write(value, TASK_CONTENT) ?? undefinedAtTop();
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
