import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { filtersTasks, taskMatcher, type TaskFilters } from '../../../lib/store/filters';
import { freshState } from '../../../lib/triggerState';
import type { ExampleRecord } from '../../../lib/store/types';
import { annotationFilters, readFilters } from '../../shared/filters';
import { pollLinks, readTail, requireDatasets, startStreams } from '../read';
import { NoSampleError, OVERFLOW_WARNING, type EventContext, type TriggerEvent } from './types';

const show = { show: { event: ['newAnnotation'] } };

/** Most rows a "fetch test event" reads looking for the latest match in one dataset. */
const SAMPLE_MAX_SCAN = 20_000;
/** Most rows a poll reads per dataset when filters may discard many. */
const FILTERED_SCAN_LIMIT = 10_000;
/** Most existing annotations "Include Existing" may emit. */
export const MAX_EXISTING = 10_000;

const properties: INodeProperties[] = [
	{
		displayName: 'Emit',
		name: 'emit',
		type: 'options',
		displayOptions: show,
		options: [
			{ name: 'One Item per Annotation', value: 'annotation', description: 'Each new annotation is its own item' },
			{
				name: 'One Item per Poll',
				value: 'batch',
				description: 'All annotations a poll found in one item, under "annotations"',
			},
		],
		default: 'annotation',
	},
	{ ...annotationFilters, displayOptions: show },
	{
		displayName: 'Include Existing Annotations',
		name: 'includeExisting',
		type: 'boolean',
		displayOptions: show,
		default: false,
		description:
			'Whether the first poll after activation also emits the latest annotations already in the datasets (otherwise it starts from now)',
	},
	{
		displayName: 'Existing Annotations Limit',
		name: 'existingLimit',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_EXISTING },
		displayOptions: { show: { event: ['newAnnotation'], includeExisting: [true] } },
		default: 100,
		description: 'Most existing annotations to emit per dataset (the latest ones, oldest first)',
	},
];

/** The Filters parameter as a predicate over a polled record: lib's one rule, given the record's dataset. */
export function annotationFilter(filters: TaskFilters): (record: ExampleRecord) => boolean {
	const matches = taskMatcher(filters);
	if (matches === undefined) return () => true;
	return (record) => matches(record.task, { dataset: record.dataset });
}

/** The output item of one annotation: the whole task, untouched, plus where it lives. */
export function annotationItem(record: ExampleRecord): IDataObject {
	const task = record.task;
	return {
		dataset: record.dataset,
		linkId: record.linkId,
		exampleId: record.exampleId,
		session: typeof task._session_id === 'string' ? task._session_id : null,
		annotator: typeof task._annotator_id === 'string' ? task._annotator_id : null,
		answer: typeof task.answer === 'string' ? task.answer : null,
		task: task as IDataObject,
	};
}

function toItems(records: ExampleRecord[], emit: string): IDataObject[] {
	if (records.length === 0) return [];
	const annotations = records.map(annotationItem);
	if (emit !== 'batch') return annotations;
	return [
		{
			count: annotations.length,
			datasets: [...new Set(records.map((record) => record.dataset))],
			firstLinkId: records[0].linkId,
			lastLinkId: records[records.length - 1].linkId,
			annotations,
		},
	];
}

function filtersOf(context: EventContext): TaskFilters {
	return readFilters(context.param<IDataObject>('filters', {}));
}

export const newAnnotation: TriggerEvent = {
	value: 'newAnnotation',
	name: 'New Annotation',
	description: 'An annotation was saved to a watched dataset',
	usesDatasets: true,
	properties,

	async start(context) {
		const datasets = await requireDatasets(context.store, context.datasets, true);
		const top = await context.store.maxLinkId();
		const afterByDataset: Record<string, number> = {};
		if (context.param('includeExisting', false)) {
			const want = Math.min(MAX_EXISTING, Math.max(1, Math.floor(context.param('existingLimit', 100))));
			const accept = annotationFilter(filtersOf(context));
			for (const dataset of datasets) {
				const tail = await readTail(context.store, dataset.name, want, accept, { top, maxScan: MAX_EXISTING * 10 });
				// Everything from the oldest of the latest `want` matches on is "new" to the first polls.
				if (tail.length > 0) afterByDataset[dataset.name] = tail[0].linkId - 1;
			}
		}
		return freshState(context.now, { streams: startStreams(datasets, top, afterByDataset) });
	},

	async poll(context, state) {
		const filters = filtersOf(context);
		const accept = annotationFilter(filters);
		const scanLimit = filtersTasks(filters)
			? Math.min(FILTERED_SCAN_LIMIT, Math.max(context.maxItems * 10, 1000))
			: context.maxItems;
		const result = await pollLinks(context.store, state, {
			startedAt: context.now,
			accept,
			maxEmit: context.maxItems,
			scanLimit,
			limits: context.limits,
		});
		return {
			items: toItems(result.emit, context.param('emit', 'annotation')),
			state: result.state,
			warnings: result.overflow ? [OVERFLOW_WARNING] : [],
		};
	},

	async sample(context) {
		const datasets = await requireDatasets(context.store, context.datasets, true);
		const accept = annotationFilter(filtersOf(context));
		const top = await context.store.maxLinkId();
		let latest: ExampleRecord | null = null;
		for (const dataset of datasets) {
			const [record] = await readTail(context.store, dataset.name, 1, accept, { top, maxScan: SAMPLE_MAX_SCAN });
			if (record && (latest === null || record.linkId > latest.linkId)) latest = record;
		}
		if (latest === null) {
			const names = datasets.map((dataset) => `"${dataset.name}"`).join(', ');
			const empty = top === 0 || (await Promise.all(datasets.map((dataset) => context.store.countExamples(dataset.name)))).every((n) => n === 0);
			// A manual run shows the latest saved annotation; with none yet, say how to get one (or to just publish).
			throw empty
				? new NoSampleError(
						`No annotations in ${names} yet, so there is no test event to show`,
						'This trigger starts the workflow when annotators save answers in Prodigy. Save one answer into the dataset ' +
							'(or pick a dataset that has some) and run again, or publish the workflow to wait for real ones.',
					)
				: new NoSampleError(
						`No annotation matching the filters in ${names}`,
						`The test event is the latest matching annotation among the newest ${SAMPLE_MAX_SCAN} of each dataset. ` +
							'Save one that matches, or loosen the filters.',
					);
		}
		return toItems([latest], context.param('emit', 'annotation'));
	},
};
