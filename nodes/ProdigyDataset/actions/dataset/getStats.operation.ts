import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { toPlainJson } from '../../../../lib/json';
import type { DatasetStats, SessionStats } from '../../../../lib/store/types';
import { datasetLocator, forOperation, readDataset } from '../../../shared/descriptions';
import type { StoreRun } from '../../../shared/store';
import { isoTime } from '../common';

const properties: INodeProperties[] = [datasetLocator()];

export const description = forOperation('dataset', 'getStats', properties);

interface AnnotatorTotals {
	annotator: string;
	sessions: number;
	total: number;
	accept: number;
	reject: number;
	ignore: number;
	flagged: number;
}

/** Sessions of the same annotator (one per day or per restart in Prodigy) added up. */
export function annotatorTotals(sessions: SessionStats[]): AnnotatorTotals[] {
	const byAnnotator = new Map<string, AnnotatorTotals>();
	for (const session of sessions) {
		const annotator = session.annotator ?? session.session;
		const totals = byAnnotator.get(annotator) ?? { annotator, sessions: 0, total: 0, accept: 0, reject: 0, ignore: 0, flagged: 0 };
		totals.sessions += 1;
		totals.total += session.total;
		totals.accept += session.accept;
		totals.reject += session.reject;
		totals.ignore += session.ignore;
		totals.flagged += session.flagged;
		byAnnotator.set(annotator, totals);
	}
	return [...byAnnotator.values()];
}

export function statsJson(stats: DatasetStats): IDataObject {
	return {
		dataset: stats.dataset,
		created: stats.created,
		createdAt: isoTime(stats.created),
		meta: toPlainJson(stats.meta) as IDataObject,
		total: stats.total,
		accept: stats.accept,
		reject: stats.reject,
		ignore: stats.ignore,
		withoutAnswer: stats.none,
		flagged: stats.flagged,
		acceptRate: stats.acceptRate,
		firstAnnotationAt: isoTime(stats.firstTimestamp),
		lastAnnotationAt: isoTime(stats.lastTimestamp),
		minLinkId: stats.minLinkId,
		maxLinkId: stats.maxLinkId,
		sessions: stats.sessions.map((session) => ({
			...session,
			firstAnnotationAt: isoTime(session.firstTimestamp),
			lastAnnotationAt: isoTime(session.lastTimestamp),
		})) as unknown as IDataObject[],
		annotators: annotatorTotals(stats.sessions) as unknown as IDataObject[],
	};
}

export async function execute(this: IExecuteFunctions, { store, eachItem }: StoreRun): Promise<INodeExecutionData[]> {
	return await eachItem(async (i) => statsJson(await store.getStats(readDataset(this, i))));
}
