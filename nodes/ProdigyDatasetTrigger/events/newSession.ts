// New Session. Prodigy makes every annotation session a dataset row (session = true): named sessions are called
// `<dataset>-<name>`, unnamed ones by their start time. Which dataset an unnamed session belongs to is only known once
// its first answer links an example to both, which can be minutes after the row appears. So a new session dataset
// becomes a candidate, and each poll asks which candidates now belong to a watched dataset (store.listSessions).
// A candidate that never gets an answer for SESSION_CANDIDATE_TTL_MS (24 h) is forgotten: a session that started
// and saved nothing for a day is not reported.
import type { IDataObject } from 'n8n-workflow';

import { startCursor } from '../../../lib/cursor';
import { freshState, pruneCandidates, type SessionCandidate } from '../../../lib/triggerState';
import type { SessionDatasetInfo } from '../../../lib/store/types';
import { maxDatasetId, pollDatasets, requireDatasets } from '../read';
import { NoSampleError, OVERFLOW_WARNING, type TriggerEvent } from './types';

export function sessionItem(dataset: string, session: SessionDatasetInfo): IDataObject {
	const prefix = `${dataset}-`;
	return {
		dataset,
		session: session.name,
		annotator: session.name.startsWith(prefix) ? session.name.slice(prefix.length) : null,
		sessionDatasetId: session.id,
		created: session.created,
		createdAt: new Date(session.created * 1000).toISOString(),
		examples: session.examples,
	};
}

export const newSession: TriggerEvent = {
	value: 'newSession',
	name: 'New Session',
	description: 'An annotator started a session on a watched dataset',
	usesDatasets: true,
	properties: [],

	async start(context) {
		await requireDatasets(context.store, context.datasets, true);
		return freshState(context.now, { datasetCursor: startCursor(await maxDatasetId(context.store)), datasetSnapshots: [], candidates: [] });
	},

	async poll(context, state) {
		await requireDatasets(context.store, context.datasets, false);
		const polled = await pollDatasets(context.store, state, {
			startedAt: context.now,
			accept: () => true,
			maxEmit: Number.POSITIVE_INFINITY,
			limits: context.limits,
		});
		const fresh: SessionCandidate[] = polled.emit
			.filter((dataset) => dataset.session)
			.map((dataset) => ({ id: dataset.id, name: dataset.name, seenAt: context.now }));
		let candidates = pruneCandidates([...(state.candidates ?? []), ...fresh], context.now);

		const matches: Array<{ dataset: string; session: SessionDatasetInfo }> = [];
		if (candidates.length > 0) {
			const waiting = new Set(candidates.map((candidate) => candidate.id));
			const lowest = Math.min(...waiting);
			for (const dataset of context.datasets) {
				for (const session of await context.store.listSessions(dataset, { afterId: lowest - 1 })) {
					if (waiting.has(session.id)) matches.push({ dataset, session });
				}
			}
		}
		// A session of two watched datasets is reported for the first (lowest id first, then dataset order).
		matches.sort((a, b) => a.session.id - b.session.id);
		const emitted = new Set<number>();
		const items: IDataObject[] = [];
		for (const match of matches) {
			if (emitted.has(match.session.id)) continue;
			if (items.length >= context.maxItems) break;
			emitted.add(match.session.id);
			items.push(sessionItem(match.dataset, match.session));
		}
		candidates = candidates.filter((candidate) => !emitted.has(candidate.id));
		return {
			items,
			state: { ...polled.state, candidates },
			warnings: polled.overflow ? [OVERFLOW_WARNING] : [],
		};
	},

	async sample(context) {
		await requireDatasets(context.store, context.datasets, true);
		let latest: { dataset: string; session: SessionDatasetInfo } | null = null;
		for (const dataset of context.datasets) {
			for (const session of await context.store.listSessions(dataset)) {
				if (latest === null || session.id > latest.session.id) latest = { dataset, session };
			}
		}
		if (!latest) {
			throw new NoSampleError(
				`No session has annotated ${context.datasets.map((name) => `"${name}"`).join(', ')} yet`,
				'Start Prodigy on the dataset and save an answer (or open it with ?session=<name>), then fetch again.',
			);
		}
		return [sessionItem(latest.dataset, latest.session)];
	},
};
