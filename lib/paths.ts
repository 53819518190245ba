// Field paths into JSON items: `score`, `meta.score`, `prediction.confidence`, `cats["B-PER"]`,
// `spans[*].score`, `probs[0]`, `scores[-1]`. Used where a user points a node at "the confidence" of an item
// whose shape we do not know, and where provenance or scores are written back under a configurable key.
import { ProdigyInputError } from './errors';
import { isPlainObject } from './json';
import type { JsonObject } from './store/types';

export type PathSegment =
	| { kind: 'key'; key: string }
	| { kind: 'index'; index: number }
	| { kind: 'wildcard' };

function pathError(path: string, problem: string): ProdigyInputError {
	return new ProdigyInputError(`Invalid field path "${path}": ${problem}`, {
		hint: 'Use dots between keys and brackets for array positions, e.g. prediction.confidence, spans[*].score, cats["B-PER"]',
	});
}

/** Parses a path once; throws ProdigyInputError naming the problem. A leading `$json.` is accepted and dropped. */
export function parsePath(path: string): PathSegment[] {
	let text = path.trim();
	if (text.startsWith('$json.') || text.startsWith('$json[')) text = text.slice('$json'.length).replace(/^\./, '');
	if (text === '') throw pathError(path, 'it is empty');
	const segments: PathSegment[] = [];
	let pos = 0;
	// A dot is required between two segments except before a bracket; tracked so `a..b` and `a.` fail.
	let expectKey = true;
	while (pos < text.length) {
		const char = text[pos];
		if (char === '[') {
			const close = findClosingBracket(text, pos, path);
			const inner = text.slice(pos + 1, close).trim();
			if (inner === '*') segments.push({ kind: 'wildcard' });
			else if (/^-?\d+$/.test(inner)) segments.push({ kind: 'index', index: Number(inner) });
			else if (/^(["']).*\1$/s.test(inner)) segments.push({ kind: 'key', key: unquote(inner) });
			else throw pathError(path, `"[${inner}]" is neither a position, * nor a quoted key`);
			pos = close + 1;
			expectKey = false;
			continue;
		}
		if (char === '.') {
			if (expectKey) throw pathError(path, `empty key at position ${pos + 1}`);
			pos++;
			expectKey = true;
			if (pos >= text.length) throw pathError(path, 'it ends with a dot');
			continue;
		}
		if (!expectKey) throw pathError(path, `missing dot before position ${pos + 1}`);
		let end = pos;
		while (end < text.length && text[end] !== '.' && text[end] !== '[') end++;
		const key = text.slice(pos, end);
		segments.push(key === '*' ? { kind: 'wildcard' } : { kind: 'key', key });
		pos = end;
		expectKey = false;
	}
	return segments;
}

function findClosingBracket(text: string, open: number, path: string): number {
	const quote = text[open + 1] === '"' || text[open + 1] === "'" ? text[open + 1] : null;
	if (quote) {
		const endQuote = text.indexOf(quote, open + 2);
		if (endQuote === -1 || text[endQuote + 1] !== ']') throw pathError(path, 'unclosed quoted key');
		return endQuote + 1;
	}
	const close = text.indexOf(']', open);
	if (close === -1) throw pathError(path, 'unclosed "["');
	return close;
}

function unquote(inner: string): string {
	return inner.slice(1, -1);
}

function segmentsOf(path: string | PathSegment[]): PathSegment[] {
	return typeof path === 'string' ? parsePath(path) : path;
}

export function hasWildcard(path: string | PathSegment[]): boolean {
	return segmentsOf(path).some((segment) => segment.kind === 'wildcard');
}

function step(value: unknown, segment: PathSegment): unknown[] {
	switch (segment.kind) {
		case 'key':
			return isPlainObject(value) && Object.hasOwn(value, segment.key) ? [value[segment.key]] : [];
		case 'index': {
			if (!Array.isArray(value)) return [];
			const index = segment.index < 0 ? value.length + segment.index : segment.index;
			return index >= 0 && index < value.length ? [value[index]] : [];
		}
		case 'wildcard':
			if (Array.isArray(value)) return value;
			return isPlainObject(value) ? Object.values(value) : [];
	}
}

/** Every value the path reaches, in document order; [] when nothing matches. */
export function getPathValues(root: unknown, path: string | PathSegment[]): unknown[] {
	let current: unknown[] = [root];
	for (const segment of segmentsOf(path)) {
		current = current.flatMap((value) => step(value, segment));
	}
	return current;
}

/** The value at a path without wildcards (undefined when missing); for a wildcard path, the array of matches. */
export function getPathValue(root: unknown, path: string | PathSegment[]): unknown {
	const segments = segmentsOf(path);
	const values = getPathValues(root, segments);
	return hasWildcard(segments) ? values : values[0];
}

/**
 * A copy of `root` with `value` set at `path` (no wildcards). Only the objects along the path are copied, so the
 * caller's item is never mutated; missing objects are created. Setting through a non-object fails rather than
 * silently replacing the user's data.
 */
export function setPathValue<T extends JsonObject>(root: T, path: string | PathSegment[], value: unknown): T {
	const segments = segmentsOf(path);
	const display = typeof path === 'string' ? path : segments.map(describeSegment).join('');
	if (segments.some((segment) => segment.kind === 'wildcard')) {
		throw pathError(display, 'cannot write through a wildcard');
	}
	return setIn(root, segments, 0, value, display) as T;
}

function describeSegment(segment: PathSegment): string {
	if (segment.kind === 'key') return `.${segment.key}`;
	return segment.kind === 'index' ? `[${segment.index}]` : '[*]';
}

function setIn(current: unknown, segments: PathSegment[], depth: number, value: unknown, path: string): unknown {
	const segment = segments[depth];
	const last = depth === segments.length - 1;
	if (segment.kind === 'key') {
		if (current !== undefined && !isPlainObject(current)) {
			throw new ProdigyInputError(`Cannot set "${path}": the value before "${segment.key}" is not an object`, {
				hint: 'Choose another key, or remove the existing non-object value first.',
			});
		}
		const copy: Record<string, unknown> = { ...(current ?? {}) };
		copy[segment.key] = last ? value : setIn(copy[segment.key], segments, depth + 1, value, path);
		return copy;
	}
	if (segment.kind !== 'index') throw pathError(path, 'cannot write through a wildcard');
	if (!Array.isArray(current)) {
		throw new ProdigyInputError(`Cannot set "${path}": position [${segment.index}] needs an existing array`);
	}
	const index = segment.index < 0 ? current.length + segment.index : segment.index;
	if (index < 0 || index >= current.length) {
		throw new ProdigyInputError(`Cannot set "${path}": position [${segment.index}] is outside the array`);
	}
	const copy = [...current];
	copy[index] = last ? value : setIn(copy[index], segments, depth + 1, value, path);
	return copy;
}
