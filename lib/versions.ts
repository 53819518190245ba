// Content-addressed dataset versions. A version id is a SHA-256 over the dataset's examples in a canonical order
// that does not depend on insertion order, plus the example count and the highest link id, so "the same data"
// always gets the same id and any change (an example removed, edited through a re-import, appended) gets another.
// Versions are recorded in the dataset's meta (`versions`), where Export "as of a version" finds their link range.
import { createHash } from 'node:crypto';

import { ProdigyInputError } from './errors';
import { isPlainObject, JsonSyntaxError, parseJsonLossless, pythonJsonDumps } from './json';
import type { ExampleRecord, JsonObject, ProdigyStore } from './store/types';

/** Bumped if the digest recipe ever changes, so old ids are never silently compared with new ones. */
export const VERSION_ALGORITHM = 'prodigy-dataset-version/1';
const DIGEST_BYTES = 32;

export interface VersionSummary {
	/** 64 hex characters. */
	id: string;
	count: number;
	/** Link-id range of the examples hashed; null for an empty dataset. */
	minLinkId: number | null;
	maxLinkId: number | null;
}

export interface VersionRecord extends VersionSummary {
	algorithm: string;
	/** ISO time the version was first recorded. */
	createdAt: string;
	modelVersion?: string;
	source?: string;
	note?: string;
}

type DigestInput = Pick<ExampleRecord, 'linkId' | 'taskHash' | 'raw'>;

/**
 * One example's digest: its task hash column, its answer and its content as Python's canonical JSON (sorted keys,
 * ASCII), so the same annotation hashes the same whichever backend or key order stored it. Content that is not
 * valid JSON (written by something other than Prodigy) is hashed as its raw text rather than failing the version.
 * Reads `raw` only, parsed once: an export that records a version never needs the record's task.
 */
export function exampleDigest(example: DigestInput): Buffer {
	let canonical: string;
	let answer = '';
	try {
		const content = parseJsonLossless(example.raw);
		canonical = pythonJsonDumps(content);
		if (isPlainObject(content) && typeof content.answer === 'string') answer = content.answer;
	} catch (error) {
		if (!(error instanceof JsonSyntaxError)) throw error;
		canonical = `raw:${example.raw}`;
	}
	return createHash('sha256').update(`${example.taskHash}\n${answer}\n${canonical}`, 'utf8').digest();
}

/**
 * Builds a version while examples stream past. Memory is 32 bytes per example (its digest, in one growing buffer)
 * plus 4 bytes per example for the sort order at the end: about 36 MB for a million examples, whatever their size.
 * Sorting the digests gives the canonical order; identical examples keep their multiplicity.
 */
export class VersionAccumulator {
	private digests = Buffer.alloc(DIGEST_BYTES * 1024);
	private count = 0;
	private minLinkId: number | null = null;
	private maxLinkId: number | null = null;

	add(example: DigestInput): void {
		if ((this.count + 1) * DIGEST_BYTES > this.digests.length) {
			const grown = Buffer.alloc(this.digests.length * 2);
			this.digests.copy(grown);
			this.digests = grown;
		}
		exampleDigest(example).copy(this.digests, this.count * DIGEST_BYTES);
		this.count++;
		if (this.minLinkId === null || example.linkId < this.minLinkId) this.minLinkId = example.linkId;
		if (this.maxLinkId === null || example.linkId > this.maxLinkId) this.maxLinkId = example.linkId;
	}

	finish(): VersionSummary {
		const digests = this.digests;
		const order = new Uint32Array(this.count);
		for (let i = 0; i < this.count; i++) order[i] = i;
		order.sort((a, b) =>
			digests.compare(digests, b * DIGEST_BYTES, (b + 1) * DIGEST_BYTES, a * DIGEST_BYTES, (a + 1) * DIGEST_BYTES),
		);
		const hash = createHash('sha256').update(`${VERSION_ALGORITHM}\ncount=${this.count}\nmaxLinkId=${this.maxLinkId ?? 0}\n`);
		for (const index of order) hash.update(digests.subarray(index * DIGEST_BYTES, (index + 1) * DIGEST_BYTES));
		return { id: hash.digest('hex'), count: this.count, minLinkId: this.minLinkId, maxLinkId: this.maxLinkId };
	}
}

/** The current version of a dataset (or of its examples up to a link id), streamed from the store. */
export async function computeVersion(
	store: Pick<ProdigyStore, 'getExamples'>,
	dataset: string,
	options: { upToLinkId?: number; pageSize?: number } = {},
): Promise<VersionSummary> {
	const accumulator = new VersionAccumulator();
	// The digest reads the stored bytes only.
	const read = { upToLinkId: options.upToLinkId, pageSize: options.pageSize, parseTasks: false };
	for await (const example of store.getExamples(dataset, read)) {
		accumulator.add(example);
	}
	return accumulator.finish();
}

/** The `versions` list of a dataset's meta ([] when absent); a non-list there is the user's data, not ours. */
export function listVersions(meta: JsonObject): VersionRecord[] {
	const versions = meta.versions;
	if (versions === undefined || versions === null) return [];
	if (!Array.isArray(versions)) {
		throw new ProdigyInputError('The dataset meta field "versions" is not a list', {
			hint: 'The pack records versions there; rename the existing "versions" meta field first.',
		});
	}
	return versions as VersionRecord[];
}

/** A recorded version by full id, or by an unambiguous prefix of at least 8 characters; null when not found. */
export function findVersion(meta: JsonObject, versionId: string): VersionRecord | null {
	const id = versionId.trim().toLowerCase();
	const versions = listVersions(meta);
	const exact = versions.find((version) => version.id === id);
	if (exact) return exact;
	if (id.length < 8) return null;
	const matches = versions.filter((version) => typeof version.id === 'string' && version.id.startsWith(id));
	const distinct = new Set(matches.map((version) => version.id));
	return distinct.size === 1 ? matches[0] : null;
}

export interface VersionExtras {
	modelVersion?: string;
	source?: string;
	note?: string;
	/** Clock (tests). */
	now?: Date;
}

function versionRecord(summary: VersionSummary, extras: VersionExtras): VersionRecord {
	const record: VersionRecord = {
		id: summary.id,
		count: summary.count,
		minLinkId: summary.minLinkId,
		maxLinkId: summary.maxLinkId,
		algorithm: VERSION_ALGORITHM,
		createdAt: (extras.now ?? new Date()).toISOString(),
	};
	if (extras.modelVersion) record.modelVersion = extras.modelVersion;
	if (extras.source) record.source = extras.source;
	if (extras.note) record.note = extras.note;
	return record;
}

/** Pure: meta with the version appended unless a version with that id is already there. */
export function withVersion(meta: JsonObject, summary: VersionSummary, extras: VersionExtras = {}): { meta: JsonObject; version: VersionRecord; recorded: boolean } {
	const versions = listVersions(meta);
	const existing = versions.find((version) => version.id === summary.id);
	if (existing) return { meta, version: existing, recorded: false };
	const version = versionRecord(summary, extras);
	return { meta: { ...meta, versions: [...versions, version] }, version, recorded: true };
}

/**
 * Records a version in the dataset's meta idempotently: the same content never records twice (the first record,
 * with its time and notes, is kept). Read-modify-write in one store transaction, so concurrent recorders of
 * different versions do not lose each other's entries.
 */
export async function recordVersion(
	store: ProdigyStore,
	dataset: string,
	summary: VersionSummary,
	extras: VersionExtras = {},
): Promise<{ version: VersionRecord; recorded: boolean }> {
	let outcome: { version: VersionRecord; recorded: boolean } | undefined;
	await store.updateMeta(dataset, (meta) => {
		const result = withVersion(meta, summary, extras);
		outcome = { version: result.version, recorded: result.recorded };
		return result.meta;
	});
	if (!outcome) throw new Error('The store did not apply the meta update');
	return outcome;
}

/** The examples of this version no longer hash to its id: something up to its last link was removed or replaced. */
export class VersionMismatchError extends ProdigyInputError {}

export class VersionNotFoundError extends ProdigyInputError {}

export interface VerifiedVersion {
	version: VersionRecord;
	/** Export the examples with link id up to and including this to get exactly the version (0 for an empty one). */
	upToLinkId: number;
	count: number;
}

/**
 * Checks that a recorded version is still exactly reproducible: the examples up to its highest link id must hash
 * to its id again. Examples appended later do not matter (they have higher link ids); anything removed or
 * re-linked up to that point does, and fails with an error that says so.
 */
export async function verifyVersion(store: ProdigyStore, dataset: string, versionId: string): Promise<VerifiedVersion> {
	const info = await store.getDataset(dataset);
	if (!info) {
		throw new VersionNotFoundError(`Dataset "${dataset}" does not exist, so version ${versionId} cannot be exported`, {
			hint: 'The dataset was dropped or renamed since the version was recorded.',
		});
	}
	const version = findVersion(info.meta, versionId);
	if (!version) {
		throw new VersionNotFoundError(`Version "${versionId}" is not recorded for dataset "${dataset}"`, {
			hint: 'Record it first with the Version Stamp node (Dataset Version), or check the id in the dataset meta "versions".',
		});
	}
	if (version.count === 0 || version.maxLinkId === null) return { version, upToLinkId: 0, count: 0 };
	const now = await computeVersion(store, dataset, { upToLinkId: version.maxLinkId });
	if (now.id !== version.id) {
		throw new VersionMismatchError(
			`Dataset "${dataset}" changed since version ${version.id.slice(0, 12)}: its ${now.count} examples up to link ${version.maxLinkId} ` +
				`no longer match the ${version.count} examples of that version`,
			{
				hint: 'Examples of that version were deleted, or the dataset was dropped and re-created. The exact version cannot be exported any more; export the current data and record a new version.',
			},
		);
	}
	return { version, upToLinkId: version.maxLinkId, count: version.count };
}
