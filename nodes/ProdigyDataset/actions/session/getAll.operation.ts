import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { SessionStats } from '../../../../lib/store/types';
import { datasetLocator, forOperation, readDataset } from '../../../shared/descriptions';
import type { StoreRun } from '../../../shared/store';
import { isoTime } from '../common';

const properties: INodeProperties[] = [
	datasetLocator({ description: 'The dataset whose annotation sessions to list (one per annotator and session)' }),
];

export const description = forOperation('session', 'getAll', properties);

/**
 * Answers per hour of active annotation: the session's annotations over the time between its first and last
 * `_timestamp`. Null when that span is zero or unknown (one answer, or answers without timestamps).
 */
export function annotationsPerHour(stats: Pick<SessionStats, 'total' | 'firstTimestamp' | 'lastTimestamp'>): number | null {
	if (stats.firstTimestamp === null || stats.lastTimestamp === null) return null;
	const hours = (stats.lastTimestamp - stats.firstTimestamp) / 3600;
	if (hours <= 0) return null;
	return Math.round((stats.total / hours) * 10) / 10;
}

export async function execute(this: IExecuteFunctions, { store, eachItem }: StoreRun): Promise<INodeExecutionData[]> {
	return await eachItem(async (i) => {
		const dataset = readDataset(this, i);
		const [sessions, stats] = await Promise.all([store.listSessions(dataset), store.getStats(dataset)]);
		const statsBySession = new Map(stats.sessions.map((session) => [session.session, session]));
		const datasets = new Map(sessions.map((session) => [session.name, session]));
		// Sessions known only from answers' _session_id (no session dataset) are listed too, after the others.
		const names = [...datasets.keys(), ...stats.sessions.map((s) => s.session).filter((name) => !datasets.has(name))];
		return names.map((name): IDataObject => {
			const session = datasets.get(name);
			const counts = statsBySession.get(name);
			return {
				dataset,
				session: name,
				sessionDatasetId: session?.id ?? null,
				created: session?.created ?? null,
				createdAt: isoTime(session?.created),
				annotator: counts?.annotator ?? null,
				examples: session?.examples ?? 0,
				annotations: counts?.total ?? 0,
				accept: counts?.accept ?? 0,
				reject: counts?.reject ?? 0,
				ignore: counts?.ignore ?? 0,
				withoutAnswer: counts?.none ?? 0,
				flagged: counts?.flagged ?? 0,
				firstTimestamp: counts?.firstTimestamp ?? null,
				lastTimestamp: counts?.lastTimestamp ?? null,
				firstAnnotationAt: isoTime(counts?.firstTimestamp),
				lastAnnotationAt: isoTime(counts?.lastTimestamp),
				annotationsPerHour: counts ? annotationsPerHour(counts) : null,
			};
		});
	});
}
