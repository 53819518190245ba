import type { INodeProperties } from 'n8n-workflow';

import { datasetLocator } from '../shared/descriptions';
import { EVENTS } from './events';

export const DEFAULT_MAX_ITEMS = 100;

/**
 * Datasets are a list of dataset pickers (Add Dataset), each the pack's usual resource locator: searchable From
 * List or typed By Name (or an expression). Chosen over a multi-select because most triggers watch one dataset
 * and look exactly like every other Prodigy node, a name can be typed when the list cannot load, and each entry
 * is validated like a Prodigy dataset name.
 */
const datasets: INodeProperties = {
	displayName: 'Datasets',
	name: 'datasets',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true, sortable: true },
	placeholder: 'Add Dataset',
	default: { values: [{ dataset: { mode: 'list', value: '' } }] },
	description: 'The Prodigy datasets to watch; changing them restarts the trigger from now',
	displayOptions: { hide: { event: ['newDataset'] } },
	options: [{ displayName: 'Dataset', name: 'values', values: [datasetLocator()] }],
};

export const properties: INodeProperties[] = [
	{
		displayName: 'Event',
		name: 'event',
		type: 'options',
		noDataExpression: true,
		options: EVENTS.map((event) => ({ name: event.name, value: event.value, description: event.description })),
		default: 'newAnnotation',
	},
	datasets,
	...EVENTS.flatMap((event) => event.properties),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Late Commit Window (Minutes)',
				name: 'lateCommitMinutes',
				type: 'number',
				typeOptions: { minValue: 0 },
				// Same as DEFAULT_LIMITS.lateCommitMs (a literal: n8n's tooling reads defaults statically).
				default: 5,
				description:
					'Longest a PostgreSQL / MySQL write transaction may stay open (e.g. a large db-in). Rows committed later than this with a lower ID than rows already seen could be missed; a longer window re-reads more rows per poll.',
			},
			{
				displayName: 'Max Items per Poll',
				name: 'maxItems',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_MAX_ITEMS,
				description: 'Most items one poll emits; the rest come with the next polls, in order',
			},
		],
	},
];
