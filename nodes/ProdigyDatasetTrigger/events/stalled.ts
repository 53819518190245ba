// Stalled (use case 8: "annotation stopped, tell someone"). Activity is a new annotation seen by a poll; the idle time
// runs on the n8n server's clock from the poll that last saw one (or from activation), so its precision is one poll
// interval. One item per stall; the next only after annotations resumed and stopped again.
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { ProdigyInputError } from '../../../lib/errors';
import { formatDuration } from '../../../lib/format';
import { advanceStall, startStall, type StallProgress, type StallRule } from '../../../lib/stalls';
import { freshState } from '../../../lib/triggerState';
import { countNewLinks, readTail, requireDatasets, startStreams } from '../read';
import { OVERFLOW_WARNING, type EventContext, type TriggerEvent } from './types';

const show = { show: { event: ['stalled'] } };
const SAMPLE_MAX_SCAN = 20_000;

const properties: INodeProperties[] = [
	{
		displayName: 'Idle Minutes',
		name: 'idleMinutes',
		type: 'number',
		typeOptions: { minValue: 1 },
		displayOptions: show,
		default: 30,
		description: 'Fires when no new annotation arrived in a dataset for this many minutes',
	},
	{
		displayName: 'Only Below Count',
		name: 'belowCount',
		type: 'number',
		typeOptions: { minValue: 0 },
		displayOptions: show,
		default: 0,
		description:
			'Only report a stall while the dataset has fewer annotations than this, e.g. the size of the batch to annotate (0: always)',
	},
];

function ruleOf(context: EventContext): StallRule {
	const minutes = Number(context.param('idleMinutes', 30));
	if (!Number.isFinite(minutes) || minutes <= 0) {
		throw new ProdigyInputError(`Idle Minutes must be a positive number, got ${minutes}`);
	}
	const below = Math.floor(Number(context.param('belowCount', 0)));
	return { idleMs: minutes * 60_000, target: Number.isFinite(below) && below > 0 ? below : null };
}

function stallItem(dataset: string, rule: StallRule, progress: StallProgress, now: number): IDataObject {
	return {
		dataset,
		idleMinutes: Math.floor((now - progress.lastActivityAt) / 60_000),
		// For alert texts: "3 days 4 hours" reads better than 4560 minutes.
		idleFor: formatDuration(now - progress.lastActivityAt),
		lastActivityAt: new Date(progress.lastActivityAt).toISOString(),
		count: progress.count,
		target: rule.target,
	};
}

export const stalled: TriggerEvent = {
	value: 'stalled',
	name: 'Stalled',
	description: 'No new annotation in a dataset for a while',
	usesDatasets: true,
	properties,

	keyOf(context) {
		// Turning the count on needs a count at start; the idle time itself can change without starting over.
		return { counts: ruleOf(context).target !== null };
	},

	async start(context) {
		const rule = ruleOf(context);
		const datasets = await requireDatasets(context.store, context.datasets, true);
		const top = await context.store.maxLinkId();
		const stalls: Record<string, StallProgress> = {};
		for (const dataset of datasets) {
			const count = rule.target === null ? null : await context.store.countExamples(dataset.name, { upToLinkId: top });
			stalls[dataset.name] = startStall(context.now, count);
		}
		return freshState(context.now, { streams: startStreams(datasets, top), stalls });
	},

	async poll(context, state) {
		const rule = ruleOf(context);
		const result = await countNewLinks(context.store, state, { startedAt: context.now, limits: context.limits });
		const stalls: Record<string, StallProgress> = { ...(state.stalls ?? {}) };
		const items: IDataObject[] = [];
		for (const stream of result.state.streams) {
			const previous =
				result.recreated.includes(stream.dataset) || !stalls[stream.dataset]
					? startStall(context.now, rule.target === null ? null : 0)
					: stalls[stream.dataset];
			const added = result.handled.get(stream.dataset)?.length ?? 0;
			const step = advanceStall(rule, previous, added, context.now);
			stalls[stream.dataset] = step.progress;
			if (step.fire) items.push(stallItem(stream.dataset, rule, step.progress, context.now));
		}
		return {
			items,
			state: { ...result.state, stalls },
			warnings: result.overflow ? [OVERFLOW_WARNING] : [],
		};
	},

	async sample(context) {
		const rule = ruleOf(context);
		await requireDatasets(context.store, context.datasets, true);
		const top = await context.store.maxLinkId();
		const items: IDataObject[] = [];
		for (const dataset of context.datasets) {
			// The test event shows each dataset's status now, timed by its latest annotation's _timestamp
			// (Prodigy ≥ 1.11 writes it); without one, the idle time is unknown.
			const [latest] = await readTail(context.store, dataset, 1, () => true, { top, maxScan: SAMPLE_MAX_SCAN });
			const timestamp = typeof latest?.task._timestamp === 'number' ? latest.task._timestamp * 1000 : null;
			const count = rule.target === null ? null : await context.store.countExamples(dataset);
			if (timestamp === null) {
				items.push({ dataset, idleMinutes: null, idleFor: null, lastActivityAt: null, count, target: rule.target });
			} else {
				items.push(stallItem(dataset, rule, { lastActivityAt: timestamp, stalled: false, count }, context.now));
			}
		}
		return items;
	},
};
