// Milestone: counts a dataset's annotations once when the trigger starts (a COUNT over the link index, or a scan when
// only some answers count), then adds what each poll reads past the cursor, so polls never recount. Links removed
// later (prodigy drop of a session, Remove Examples) are not subtracted: the count can run ahead of the dataset.
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { ProdigyInputError } from '../../../lib/errors';
import { advanceMilestone, startMilestone, type MilestoneProgress, type MilestoneRule } from '../../../lib/milestones';
import { taskMatcher } from '../../../lib/store/filters';
import type { ExampleRecord } from '../../../lib/store/types';
import { freshState } from '../../../lib/triggerState';
import { countNewLinks, requireDatasets, startStreams } from '../read';
import { NoSampleError, OVERFLOW_WARNING, type EventContext, type TriggerEvent } from './types';

const show = { show: { event: ['milestone'] } };

const properties: INodeProperties[] = [
	{
		displayName: 'Milestone',
		name: 'milestoneType',
		type: 'options',
		displayOptions: show,
		options: [
			{ name: 'Target Count', value: 'target', description: 'Once, when the dataset reaches the count' },
			{ name: 'Every N Annotations', value: 'every', description: 'At every multiple of N' },
		],
		default: 'target',
	},
	{
		displayName: 'Target Count',
		name: 'target',
		type: 'number',
		typeOptions: { minValue: 1 },
		displayOptions: { show: { event: ['milestone'], milestoneType: ['target'] } },
		default: 1000,
		description: 'Fires once when the dataset reaches this many annotations',
	},
	{
		displayName: 'Every',
		name: 'every',
		type: 'number',
		typeOptions: { minValue: 1 },
		displayOptions: { show: { event: ['milestone'], milestoneType: ['every'] } },
		default: 500,
		description: 'Fires each time the count passes a multiple of this number',
	},
	{
		displayName: 'Count Only Answers',
		name: 'countAnswers',
		type: 'multiOptions',
		displayOptions: show,
		options: [
			{ name: 'Accept', value: 'accept' },
			{ name: 'Reject', value: 'reject' },
			{ name: 'Ignore', value: 'ignore' },
		],
		default: [],
		description: 'Count only annotations with these answers (none selected: count every annotation)',
	},
];

function ruleOf(context: EventContext): MilestoneRule {
	const type = context.param<string>('milestoneType', 'target');
	const value = Math.floor(Number(type === 'every' ? context.param('every', 500) : context.param('target', 1000)));
	if (!Number.isFinite(value) || value < 1) {
		throw new ProdigyInputError(`The milestone must be a whole number of at least 1, got ${value}`);
	}
	return type === 'every' ? { type: 'every', every: value } : { type: 'target', target: value };
}

function answersOf(context: EventContext): string[] {
	return context.param<string[]>('countAnswers', []);
}

/** Which polled annotations count: the same answer rule as the countExamples that started the count. */
function counts(answers: string[]): (record: ExampleRecord) => boolean {
	const matches = answers.length === 0 ? undefined : taskMatcher({ answer: answers });
	return matches === undefined ? () => true : (record) => matches(record.task);
}

export const milestone: TriggerEvent = {
	value: 'milestone',
	name: 'Milestone',
	description: 'A dataset reached a number of annotations',
	usesDatasets: true,
	properties,

	keyOf(context) {
		return { rule: ruleOf(context), answers: [...answersOf(context)].sort() };
	},

	async start(context) {
		const rule = ruleOf(context);
		const answers = answersOf(context);
		const datasets = await requireDatasets(context.store, context.datasets, true);
		const top = await context.store.maxLinkId();
		const milestones: Record<string, MilestoneProgress> = {};
		for (const dataset of datasets) {
			// Counted up to the cursor's start, so nothing is counted twice or left out between start and first poll.
			const count = await context.store.countExamples(dataset.name, {
				upToLinkId: top,
				...(answers.length ? { answer: answers } : {}),
			});
			milestones[dataset.name] = startMilestone(rule, count);
		}
		return freshState(context.now, { streams: startStreams(datasets, top), milestones });
	},

	async poll(context, state) {
		const rule = ruleOf(context);
		const counted = counts(answersOf(context));
		const result = await countNewLinks(context.store, state, { startedAt: context.now, limits: context.limits });
		const milestones: Record<string, MilestoneProgress> = { ...(state.milestones ?? {}) };
		const items: IDataObject[] = [];
		for (const stream of result.state.streams) {
			const previous = result.recreated.includes(stream.dataset)
				? { count: 0, reached: 0 }
				: (milestones[stream.dataset] ?? { count: 0, reached: 0 });
			const rows = (result.handled.get(stream.dataset) ?? []).filter(counted);
			const step = advanceMilestone(rule, previous, rows.length);
			milestones[stream.dataset] = step.progress;
			for (const crossing of step.crossings) {
				const record = rows[crossing.offset];
				items.push({
					dataset: stream.dataset,
					milestone: crossing.milestone,
					type: rule.type,
					count: step.progress.count,
					linkId: record?.linkId ?? null,
					session: typeof record?.task._session_id === 'string' ? record.task._session_id : null,
				});
			}
		}
		return {
			items,
			state: { ...result.state, milestones },
			warnings: result.overflow ? [OVERFLOW_WARNING] : [],
		};
	},

	async sample(context) {
		const rule = ruleOf(context);
		const answers = answersOf(context);
		await requireDatasets(context.store, context.datasets, true);
		const items: IDataObject[] = [];
		const status: string[] = [];
		for (const dataset of context.datasets) {
			const count = await context.store.countExamples(dataset, answers.length ? { answer: answers } : {});
			const reached = startMilestone(rule, count).reached;
			status.push(`"${dataset}" has ${count}`);
			if (reached > 0) {
				items.push({ dataset, milestone: reached, type: rule.type, count, linkId: null, session: null });
			}
		}
		if (items.length === 0) {
			const first = rule.type === 'target' ? rule.target : rule.every;
			throw new NoSampleError(
				`No milestone reached yet: ${status.join(', ')} annotations, the first milestone is ${first}`,
				'The test event is the latest milestone already reached. Lower the milestone to see one now.',
			);
		}
		return items;
	},
};
