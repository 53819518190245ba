// Python-compatible JSON: every expected string below is derived by hand from Python's json module rules
// (json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=True) and repr(float)).
import { ProdigyInputError } from '../../lib/errors';
import {
	JsonSyntaxError,
	PyFloat,
	compareCodePoints,
	parseJsonLines,
	parseJsonLossless,
	parseTasksFile,
	pythonFloatRepr,
	pythonJsonDumps,
	stringifyTask,
	toPlainJson,
} from '../../lib/json';

function syntaxErrorOf(text: string): JsonSyntaxError {
	let caught: unknown;
	try {
		parseJsonLossless(text);
	} catch (error) {
		caught = error;
	}
	expect([text, caught]).toEqual([text, expect.any(JsonSyntaxError)]);
	return caught as JsonSyntaxError;
}

describe('parseJsonLossless', () => {
	it('keeps integral floats as PyFloat and leaves other floats plain numbers', () => {
		const parsed = parseJsonLossless('[10.0, 1E2, -0.0, 1e16, 0.5, 1e-05, 10]') as unknown[];
		expect(parsed.slice(0, 4)).toEqual([new PyFloat(10), new PyFloat(100), new PyFloat(-0), new PyFloat(1e16)]);
		expect(Object.is((parsed[2] as PyFloat).value, -0)).toBe(true);
		expect(parsed.slice(4)).toEqual([0.5, 0.00001, 10]);
	});

	it('parses integers beyond 2^53 as exact bigint, safe ones as numbers, -0 as int 0', () => {
		const parsed = parseJsonLossless('[9007199254740991, 9007199254740993, -9007199254740993, 123456789012345678901234567890, -0]') as unknown[];
		expect(parsed[0]).toBe(9007199254740991);
		expect(parsed[1]).toBe(9007199254740993n);
		expect(parsed[2]).toBe(-9007199254740993n);
		expect(parsed[3]).toBe(123456789012345678901234567890n);
		expect(Object.is(parsed[4], 0)).toBe(true);
	});

	it('accepts NaN, Infinity and -Infinity like Python, and overflowing floats become infinite', () => {
		const parsed = parseJsonLossless('[NaN,Infinity,-Infinity,1e400,-1e400]') as number[];
		expect(parsed[0]).toBeNaN();
		expect(parsed.slice(1)).toEqual([Infinity, -Infinity, Infinity, -Infinity]);
	});

	it('decodes escapes, keeping lone surrogates', () => {
		expect(parseJsonLossless('"\\u00e9\\ud83d\\ude00\\/\\"\\\\\\b\\f\\n\\r\\t\\ud800"')).toBe('é😀/"\\\b\f\n\r\t\ud800');
	});

	it('keeps the last value of a duplicate key at its first position, like a Python dict', () => {
		const parsed = parseJsonLossless('{"a":1,"b":2,"a":3}') as Record<string, unknown>;
		expect(Object.keys(parsed)).toEqual(['a', 'b']);
		expect(parsed.a).toBe(3);
	});

	it('makes __proto__ an ordinary own property and never touches a prototype', () => {
		const parsed = parseJsonLossless('{"__proto__":{"polluted":true},"a":{"__proto__":[1]}}') as Record<string, unknown>;
		expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
		expect(Object.keys(parsed)).toEqual(['__proto__', 'a']);
		expect(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value).toEqual({ polluted: true });
		expect((parsed as { polluted?: unknown }).polluted).toBeUndefined();
		expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
		expect(pythonJsonDumps(parsed)).toBe('{"__proto__":{"polluted":true},"a":{"__proto__":[1]}}');
	});

	it('rejects bad input with a SyntaxError that gives the position', () => {
		const cases: Array<[string, number]> = [
			['{"a":}', 5],
			['{"a":1,}', 7],
			['[1,]', 3],
			['{} x', 3],
			['01', 1],
			['"abc', 4],
			['"a\tb"', 2],
			['"\\x"', 2],
			['"\\u12g4"', 1],
			['', 0],
			['\ufeff{}', 0],
			['{"a" 1}', 5],
			['[1 2]', 3],
			['nul', 0],
		];
		for (const [text, position] of cases) {
			const error = syntaxErrorOf(text);
			expect(error).toBeInstanceOf(SyntaxError);
			expect([text, error.position]).toEqual([text, position]);
			expect(error.message).toContain(`at position ${position}`);
		}
		expect(syntaxErrorOf(`${'['.repeat(1001)}${']'.repeat(1001)}`).message).toBe('Nesting deeper than 1000 levels "[" at position 1000 (line 1, column 1001)');
		expect(parseJsonLossless(`${'['.repeat(1000)}${']'.repeat(1000)}`)).toHaveLength(1);
		expect(syntaxErrorOf('{\n  "a": ?\n}').message).toBe('Unexpected token "?" at position 9 (line 2, column 8)');
	});
});

describe('pythonJsonDumps', () => {
	it('sorts keys by code point at every depth, not by UTF-16 unit', () => {
		// UTF-16 order would put U+1F600 (units D83D DE00) before U+E000 and U+FFFF.
		const value = { '\u{1F600}': 4, '\uffff': 3, '\ue000': 2, a: { z: 1, b: [{ y: 1, x: 2 }] } };
		expect(pythonJsonDumps(value)).toBe('{"a":{"b":[{"x":2,"y":1}],"z":1},"\\ue000":2,"\\uffff":3,"\\ud83d\\ude00":4}');
		const keys = ['\u{1F600}', '\uffff', 'b', '\ue000', 'ba', ''];
		expect(keys.sort(compareCodePoints)).toEqual(['', 'b', 'ba', '\ue000', '\uffff', '\u{1F600}']);
	});

	it('sorts objects of any size and insertion order by code point (small ones take another path than large ones)', () => {
		// Keys below U+D800 only (sorted as UTF-16 units), and keys with units above (sorted by code point).
		const alphabets = [
			['a', 'b', 'B', '_', '0', '~', 'é', '\u4e2d'],
			['a', 'b', 'B', '_', '0', 'é', '\ue000', '\uffff', '\u{1F600}', '\ud83d'],
		];
		let seed = 7;
		const next = (n: number) => {
			seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
			return (seed >>> 16) % n; // the high bits: an LCG's low bits repeat with a short period
		};
		for (let round = 0; round < 300; round++) {
			const keys = new Set<string>();
			const size = 1 + next(40);
			const alphabet = alphabets[round % 2];
			while (keys.size < size) keys.add(Array.from({ length: 1 + next(3) }, () => alphabet[next(alphabet.length)]).join(''));
			const value: Record<string, number> = Object.fromEntries([...keys].map((key, i) => [key, i]));
			const expected = [...keys].sort(compareCodePoints).map((key) => `${pythonJsonDumps(key)}:${value[key]}`);
			expect(pythonJsonDumps(value)).toBe(`{${expected.join(',')}}`);
		}
	});

	it('orders lone surrogates by their own code point', () => {
		// Python: "\ud83d" + "\ue000" is (U+D83D, U+E000), which sorts before (U+1F600,).
		expect(pythonJsonDumps({ '\u{1F600}': 1, '\ud83d\ue000': 2 })).toBe('{"\\ud83d\\ue000":2,"\\ud83d\\ude00":1}');
	});

	it('escapes everything outside U+0020–U+007E with lowercase hex, and nothing else but " and \\', () => {
		expect(pythonJsonDumps('a/b ~')).toBe('"a/b ~"');
		expect(pythonJsonDumps('\u007f\u0080é\u2028\u0001\u001f')).toBe('"\\u007f\\u0080\\u00e9\\u2028\\u0001\\u001f"');
		expect(pythonJsonDumps('"\\\b\f\n\r\t')).toBe('"\\"\\\\\\b\\f\\n\\r\\t"');
		expect(pythonJsonDumps('😀')).toBe('"\\ud83d\\ude00"');
		expect(pythonJsonDumps('\ud800x\udfff')).toBe('"\\ud800x\\udfff"');
	});

	it('writes floats as Python repr: always a fraction or an exponent', () => {
		const cases: Array<[number | PyFloat, string]> = [
			[new PyFloat(1e16), '1e+16'],
			[new PyFloat(1e15), '1000000000000000.0'],
			[1e-5, '1e-05'],
			[0.0001, '0.0001'],
			[new PyFloat(-0), '-0.0'],
			[new PyFloat(0), '0.0'],
			[new PyFloat(10), '10.0'],
			[0.1, '0.1'],
			[-2.5, '-2.5'],
			[123.456, '123.456'],
			[new PyFloat(1e22), '1e+22'],
			[5e-324, '5e-324'],
			[new PyFloat(1.5e300), '1.5e+300'],
			[new PyFloat(1.7976931348623157e308), '1.7976931348623157e+308'],
			[1.25e-7, '1.25e-07'],
			[1234567890123456.75, '1234567890123456.8'],
		];
		for (const [value, expected] of cases) expect([value, pythonJsonDumps(value)]).toEqual([value, expected]);
		// An integral JS number is a Python int (the documented loss for tasks that arrive as n8n JSON).
		expect(pythonJsonDumps(12345678901234568)).toBe('12345678901234568');
		expect(pythonFloatRepr(12345678901234568)).toBe('1.2345678901234568e+16');
	});

	it('writes integers of any size as integers, and NaN / Infinity bare', () => {
		expect(pythonJsonDumps([10, -0, 1e21, 2n ** 64n, -(2n ** 70n)])).toBe('[10,0,1000000000000000000000,18446744073709551616,-1180591620717411303424]');
		expect(pythonJsonDumps([NaN, Infinity, -Infinity])).toBe('[NaN,Infinity,-Infinity]');
		expect(pythonJsonDumps([true, false, null])).toBe('[true,false,null]');
	});

	it('skips undefined in objects, writes it as null in arrays, rejects functions', () => {
		expect(pythonJsonDumps({ b: undefined, a: [undefined] })).toBe('{"a":[null]}');
		expect(() => pythonJsonDumps({ f: () => 1 })).toThrow(TypeError);
		expect(() => pythonJsonDumps(undefined)).toThrow(TypeError);
	});
});

describe('nesting limit of the writers', () => {
	const nested = (levels: number) => {
		let value: unknown = 1;
		for (let i = 0; i < levels; i++) value = [value];
		return value;
	};

	it('writes what parseJsonLossless reads back (1000 levels) and refuses one level more', () => {
		expect(parseJsonLossless(stringifyTask(nested(1000)))).toEqual(nested(1000));
		expect(pythonJsonDumps(nested(1000))).toBe(`${'['.repeat(1000)}1${']'.repeat(1000)}`);
		expect(() => stringifyTask(nested(1001))).toThrow('The data is nested deeper than 1000 levels');
		expect(() => pythonJsonDumps(nested(1001))).toThrow('The data is nested deeper than 1000 levels');
		expect(() => parseJsonLossless(`${'['.repeat(1001)}${']'.repeat(1001)}`)).toThrow('Nesting deeper than 1000 levels');
	});

	it('lets a toJSON that dumps JSON itself use a buffer of its own', () => {
		const inner = { toJSON: () => pythonJsonDumps({ b: 'é', a: 1 }) };
		expect(pythonJsonDumps({ z: inner, y: [1.5] })).toBe('{"y":[1.5],"z":"{\\"a\\":1,\\"b\\":\\"\\\\u00e9\\"}"}');
	});
});

describe('stringifyTask', () => {
	it('round-trips content through parseJsonLossless byte for byte', () => {
		const text = '{"text":"Grüße 😀 \\"q\\" \\\\","b":10.0,"c":-0.0,"d":1e+16,"e":12345678901234567890,"f":[NaN,Infinity,-Infinity,0.1,1e-05,5e-324],"g":null,"h":true,"a":{"z":1,"__proto__":2}}';
		expect(stringifyTask(parseJsonLossless(text))).toBe(text);
	});

	it('keeps insertion order, writes non-ASCII as is, escapes control characters and lone surrogates', () => {
		expect(stringifyTask({ b: 1, a: 'é\n\u0001\u007f', c: '\ud800', d: undefined })).toBe('{"b":1,"a":"é\\n\\u0001\u007f","c":"\\ud800"}');
	});

	it('lists integer-like keys first (a known loss of JavaScript objects; hashes sort keys anyway)', () => {
		expect(stringifyTask(parseJsonLossless('{"b":1,"2":2}'))).toBe('{"2":2,"b":1}');
	});

	it('a plain JSON.stringify of a parsed task still writes PyFloat as a number', () => {
		expect(JSON.stringify(parseJsonLossless('{"a":10.0}'))).toBe('{"a":10}');
	});
});

describe('toPlainJson', () => {
	it('turns PyFloat into numbers and bigint into numbers when exact, else decimal strings', () => {
		const input = parseJsonLossless('{"a":10.0,"b":[9007199254740993,{"c":-0.0}],"d":"x","e":null,"__proto__":1}') as Record<string, unknown>;
		const plain = toPlainJson(input) as Record<string, unknown>;
		expect(plain).toEqual({ a: 10, b: ['9007199254740993', { c: -0 }], d: 'x', e: null, ['__proto__']: 1 });
		expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
		expect(toPlainJson(5n)).toBe(5);
		expect(input.a).toBeInstanceOf(PyFloat);
	});
});

describe('parseJsonLines / parseTasksFile', () => {
	it('parses JSONL losslessly, skipping blank lines, tolerating a BOM and CRLF', () => {
		expect(parseJsonLines('\ufeff{"a":1.0}\r\n\r\n  \n{"b":9007199254740993}\n')).toEqual([{ a: new PyFloat(1) }, { b: 9007199254740993n }]);
	});

	it('reports the 1-based line and a 0-based index for a bad line', () => {
		let caught: unknown;
		try {
			parseJsonLines('{"a":1}\n\n{"a":}\n');
		} catch (error) {
			caught = error;
		}
		expect(caught).toBeInstanceOf(ProdigyInputError);
		expect((caught as ProdigyInputError).message).toBe('Invalid JSON on line 3: Unexpected token "}" at position 5 (line 1, column 6)');
		expect((caught as ProdigyInputError).index).toBe(2);
	});

	it('accepts a JSON array (also pretty-printed) or JSON Lines', () => {
		expect(parseTasksFile('\ufeff [\n  {"a": 1.0},\n  {"b": 2}\n]\n')).toEqual([{ a: new PyFloat(1) }, { b: 2 }]);
		expect(parseTasksFile('{"a":1}\n{"b":2}')).toEqual([{ a: 1 }, { b: 2 }]);
		expect(() => parseTasksFile('[{"a":1},')).toThrow(ProdigyInputError);
		expect(() => parseTasksFile('{"a":1}\n{"b":')).toThrow('Invalid JSON on line 2');
	});
});
