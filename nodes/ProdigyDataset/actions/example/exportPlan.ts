import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { ExampleRecord, GetExamplesOptions, ProdigyStore } from '../../../../lib/store/types';

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
	_store: ProdigyStore,
	request: ExportRequest,
): Promise<ExportPlan> {
	return { query: request.filters };
}
