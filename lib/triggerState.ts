// The Prodigy Trigger's saved state (n8n static data): its declared shape and the parser that reads it back.
// What a poll decides lives in cursor.ts (the watermark), milestones.ts and stalls.ts; this module only says what
// is remembered between polls and refuses anything it cannot trust.
import type { IdCursor, IdSnapshot } from './cursor';
import { isPlainObject } from './json';
import type { MilestoneProgress } from './milestones';
import type { StallProgress } from './stalls';

/** One watched dataset's link stream. `datasetId` tells a dropped-and-recreated dataset from the one we watched. */
export interface LinkStream {
	dataset: string;
	datasetId: number;
	cursor: IdCursor;
}

/** A session dataset seen being created, not yet known to belong to a watched dataset (its first answer links it). */
export interface SessionCandidate {
	id: number;
	name: string;
	/** When the trigger first saw it (epoch ms); candidates expire after SESSION_CANDIDATE_TTL_MS. */
	seenAt: number;
}

export const STATE_VERSION = 1;

/** The trigger's whole static data. Every part is optional because each event uses only some of them. */
export interface TriggerState {
	version: typeof STATE_VERSION;
	/** What is watched (event, datasets, counting rules): a different key starts over. */
	key: string;
	startedAt: number;
	/** Link-id snapshots, shared by the link streams (link ids are global across datasets). */
	linkSnapshots: IdSnapshot[];
	streams: LinkStream[];
	/** New Dataset / New Session: the cursor over dataset ids. */
	datasetCursor?: IdCursor;
	datasetSnapshots?: IdSnapshot[];
	candidates?: SessionCandidate[];
	milestones?: Record<string, MilestoneProgress>;
	stalls?: Record<string, StallProgress>;
}

/**
 * A first state for an event: nothing seen yet, with the parts that event keeps. The key is stamped by the poller
 * (it knows what is watched), so it starts empty.
 */
export function freshState(
	startedAt: number,
	parts: Partial<Omit<TriggerState, 'version' | 'key' | 'startedAt'>> = {},
): TriggerState {
	return { version: STATE_VERSION, key: '', startedAt, linkSnapshots: [], streams: [], ...parts };
}

/** How long a session dataset may wait for its first answer before New Session stops looking for its dataset. */
export const SESSION_CANDIDATE_TTL_MS = 24 * 60 * 60_000;
export const MAX_SESSION_CANDIDATES = 1000;

/** Keeps candidates seen within the TTL, newest MAX_SESSION_CANDIDATES. */
export function pruneCandidates(candidates: readonly SessionCandidate[], now: number): SessionCandidate[] {
	const fresh = candidates.filter((candidate) => candidate.seenAt + SESSION_CANDIDATE_TTL_MS > now);
	return fresh.slice(Math.max(0, fresh.length - MAX_SESSION_CANDIDATES));
}

/** The fingerprint of a configuration; datasets are sorted so their order in the form does not matter. */
export function stateKey(event: string, datasets: readonly string[], extra: Record<string, unknown> = {}): string {
	return JSON.stringify({ event, datasets: [...new Set(datasets)].sort(), ...extra });
}

function isFiniteNumber(value: unknown): value is number {
	return typeof value === 'number' && Number.isFinite(value);
}

function parseCursor(value: unknown): IdCursor | null {
	if (!isPlainObject(value) || !isFiniteNumber(value.after) || !Array.isArray(value.seen)) return null;
	if (!value.seen.every(isFiniteNumber)) return null;
	const seen = [...new Set(value.seen.filter((id) => id > (value.after as number)))].sort((a, b) => a - b);
	return { after: value.after, seen };
}

function parseSnapshots(value: unknown): IdSnapshot[] | null {
	if (!Array.isArray(value)) return null;
	const snapshots: IdSnapshot[] = [];
	for (const entry of value) {
		if (!isPlainObject(entry) || !isFiniteNumber(entry.id) || !isFiniteNumber(entry.at)) return null;
		snapshots.push({ id: entry.id, at: entry.at });
	}
	return snapshots;
}

function parseRecord<T>(value: unknown, parse: (entry: unknown) => T | null): Record<string, T> | null {
	if (!isPlainObject(value)) return null;
	const result: Record<string, T> = {};
	for (const [key, entry] of Object.entries(value)) {
		const parsed = parse(entry);
		if (parsed === null) return null;
		result[key] = parsed;
	}
	return result;
}

/**
 * Reads static data back into a typed state (a plain copy, so the caller never mutates n8n's object by accident).
 * Anything malformed, from another version or for another key gives null: the trigger starts over from now rather
 * than trust a cursor it cannot read.
 */
export function parseTriggerState(value: unknown, key: string): TriggerState | null {
	if (!isPlainObject(value) || value.version !== STATE_VERSION || value.key !== key) return null;
	if (!isFiniteNumber(value.startedAt)) return null;
	const linkSnapshots = parseSnapshots(value.linkSnapshots);
	if (linkSnapshots === null || !Array.isArray(value.streams)) return null;
	const streams: LinkStream[] = [];
	for (const entry of value.streams) {
		if (!isPlainObject(entry) || typeof entry.dataset !== 'string' || !isFiniteNumber(entry.datasetId)) return null;
		const cursor = parseCursor(entry.cursor);
		if (cursor === null) return null;
		streams.push({ dataset: entry.dataset, datasetId: entry.datasetId, cursor });
	}
	const state: TriggerState = { version: STATE_VERSION, key, startedAt: value.startedAt, linkSnapshots, streams };
	if (value.datasetCursor !== undefined) {
		const cursor = parseCursor(value.datasetCursor);
		const snapshots = parseSnapshots(value.datasetSnapshots ?? []);
		if (cursor === null || snapshots === null) return null;
		state.datasetCursor = cursor;
		state.datasetSnapshots = snapshots;
	}
	if (value.candidates !== undefined) {
		if (!Array.isArray(value.candidates)) return null;
		const candidates: SessionCandidate[] = [];
		for (const entry of value.candidates) {
			if (!isPlainObject(entry) || !isFiniteNumber(entry.id) || typeof entry.name !== 'string' || !isFiniteNumber(entry.seenAt)) {
				return null;
			}
			candidates.push({ id: entry.id, name: entry.name, seenAt: entry.seenAt });
		}
		state.candidates = candidates;
	}
	if (value.milestones !== undefined) {
		const milestones = parseRecord(value.milestones, (entry) =>
			isPlainObject(entry) && isFiniteNumber(entry.count) && isFiniteNumber(entry.reached)
				? { count: entry.count, reached: entry.reached }
				: null,
		);
		if (milestones === null) return null;
		state.milestones = milestones;
	}
	if (value.stalls !== undefined) {
		const stalls = parseRecord(value.stalls, (entry) =>
			isPlainObject(entry) &&
			isFiniteNumber(entry.lastActivityAt) &&
			typeof entry.stalled === 'boolean' &&
			(entry.count === null || isFiniteNumber(entry.count))
				? { lastActivityAt: entry.lastActivityAt, stalled: entry.stalled, count: entry.count as number | null }
				: null,
		);
		if (stalls === null) return null;
		state.stalls = stalls;
	}
	return state;
}
