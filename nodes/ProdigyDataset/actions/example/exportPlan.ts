import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { hasApproval } from '../../../../lib/approvals';
import { ProdigyInputError } from '../../../../lib/errors';
import type { ExampleRecord, GetExamplesOptions, ProdigyStore } from '../../../../lib/store/types';
import type { TrainingFormat } from '../../../../lib/training';
import { computeVersion, VersionAccumulator, VersionMismatchError, verifyVersion } from '../../../../lib/versions';

export type ExportFormat = 'jsonl' | 'json' | TrainingFormat;

export const TRAINING_FORMATS: readonly ExportFormat[] = ['tokens', 'textcat'];

/** Every format but the JSON array is JSON Lines. */
export function mimeType(format: ExportFormat): string {
	return format === 'json' ? 'application/json' : 'application/jsonl';
}

/** Bytes gathered before a chunk goes to the stream: big enough to keep the stream cheap, small next to memory. */
export const CHUNK_BYTES = 256 * 1024;

export interface ExportProgress {
	count: number;
	byteSize: number;
	minLinkId: number | null;
	maxLinkId: number | null;
}

export interface ExportRequest {
	dataset: string;
	/** The user's filters (answer, session, flagged, after link id). */
	filters: GetExamplesOptions;
	/** The Export operation's Options collection, as set on the node. */
	options: IDataObject;
	itemIndex: number;
}

/**
 * What one export reads and how it checks what it read. The seam for export guards: "export as of a version"
 * narrows `query` (upToLinkId) and verifies the content hash in `onRecord` / `finish`; "require an approval"
 * refuses in planExport before anything is read. Both read their settings from `request.options`.
 */
export interface ExportPlan {
	query: GetExamplesOptions;
	/** Sees every exported record in order, e.g. to hash it. */
	onRecord?: (record: ExampleRecord) => void;
	/** Runs after the last record was written; throwing fails the item. Returned fields join the output item. */
	finish?: () => Promise<IDataObject>;
}

export async function planExport(
	this: IExecuteFunctions,
	store: ProdigyStore,
	request: ExportRequest,
): Promise<ExportPlan> {
	const { dataset, filters, options } = request;
	const requested = typeof options.version === 'string' ? options.version.trim() : '';
	const requireApproval = options.requireApproval === true;
	if (!requested && !requireApproval) return { query: filters };

	// A version pins the link range; without one, "require an approval" pins the data as it is now.
	let versionId: string;
	let upToLinkId: number;
	if (requested) {
		const verified = await verifyVersion(store, dataset, requested);
		versionId = verified.version.id;
		upToLinkId = verified.upToLinkId;
	} else {
		const current = await computeVersion(store, dataset);
		versionId = current.id;
		upToLinkId = current.maxLinkId ?? 0;
	}
	if (requireApproval) {
		const meta = (await store.getDataset(dataset))?.meta ?? {};
		if (!hasApproval(meta, versionId)) {
			throw new ProdigyInputError(`Version ${versionId.slice(0, 12)} of dataset "${dataset}" is not approved, so it was not exported`, {
				hint: 'Approve that version with the Approval Gate first. The latest decision about a version counts: a later rejection withdraws an approval.',
				index: request.itemIndex,
			});
		}
	}
	const query: GetExamplesOptions = { ...filters, upToLinkId: Math.min(filters.upToLinkId ?? upToLinkId, upToLinkId) };
	const result: IDataObject = { versionId, ...(requireApproval ? { approved: true } : {}) };
	if (Object.keys(filters).length > 0) return { query, finish: async () => result };

	// Unfiltered, the file holds exactly the version: hashing what was written proves it, even if the dataset
	// changed between the check above and the read.
	const written = new VersionAccumulator();
	return {
		query,
		onRecord: (record) => written.add(record),
		finish: async () => {
			if (written.finish().id !== versionId) {
				throw new VersionMismatchError(`Dataset "${dataset}" changed while version ${versionId.slice(0, 12)} was being exported`, {
					hint: 'Examples of that version were removed during the export; run it again.',
					index: request.itemIndex,
				});
			}
			return result;
		},
	};
}
