// The store's options as callers give them: checked before anything touches the database, with defaults.
import { ProdigyInputError } from '../errors';
import type { DedupeMode } from './types';

export const DEFAULT_ROWS_PER_INSERT = 500;
export const DEFAULT_PAGE_SIZE = 1000;
const DEDUPE_MODES: readonly DedupeMode[] = ['none', 'input', 'task'];

export function positiveInt(value: number | undefined, fallback: number, what: string): number {
	if (value === undefined) return fallback;
	if (!Number.isInteger(value) || value < 1) {
		throw new ProdigyInputError(`${what} must be a positive whole number, got ${String(value)}`);
	}
	return value;
}

/** An id bound (after / up to) from the caller: bound as a parameter, so it must be a plain integer. */
export function idBound(value: number | undefined, what: string): number | undefined {
	if (value === undefined) return undefined;
	if (!Number.isSafeInteger(value)) throw new ProdigyInputError(`${what} must be a whole number, got ${String(value)}`);
	return value;
}

/** A caller's limit: undefined or Infinity for none. */
export function limitOption(value: number | undefined): number | undefined {
	if (value === undefined || value === Number.POSITIVE_INFINITY) return undefined;
	if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
		throw new ProdigyInputError(`limit must be zero or a positive number, got ${String(value)}`);
	}
	return Math.floor(value);
}

export function dedupeMode(value: DedupeMode | undefined): DedupeMode {
	const mode = value ?? 'none';
	if (!DEDUPE_MODES.includes(mode)) {
		throw new ProdigyInputError(`Unknown dedupe mode "${String(mode)}"`, { hint: 'Use "none", "input" or "task".' });
	}
	return mode;
}

/** A list of ids or hashes from the caller (removeExamples' selector), without repeats. */
export function integerList(values: unknown, what: string): number[] {
	if (values === undefined || values === null) return [];
	if (!Array.isArray(values) || values.some((value) => !Number.isSafeInteger(value))) {
		throw new ProdigyInputError(`${what} must be a list of integers`);
	}
	return [...new Set(values as number[])];
}
