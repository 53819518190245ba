import type { INodeProperties } from 'n8n-workflow';

import { datasetLocator } from '../shared/descriptions';

const provenanceFields: INodeProperties[] = [
	{
		displayName: 'Source System',
		name: 'sourceSystem',
		type: 'string',
		default: '',
		placeholder: 'e.g. crm',
		description: 'Name of the system the records came from',
	},
	{
		displayName: 'Source Record ID',
		name: 'sourceRecordId',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.recordKey }}',
		description: "The record's ID in the source system (usually an expression)",
	},
	{
		displayName: 'Model Version',
		name: 'modelVersion',
		type: 'string',
		default: '',
		placeholder: 'e.g. ner-2024-05',
		description: 'Version of the model that produced or will be trained on the data',
	},
];

export const properties: INodeProperties[] = [
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		noDataExpression: true,
		default: 'datasetVersion',
		options: [
			{
				name: 'Dataset Version',
				value: 'datasetVersion',
				description: 'Compute the content version ID of a dataset and record it in the dataset meta',
				action: 'Record a dataset version',
			},
			{
				name: 'Stamp Items',
				value: 'stampItems',
				description: 'Add provenance (version ID, time, source, model version) to every item',
				action: 'Stamp items with provenance',
			},
		],
	},
	{
		...datasetLocator({ description: 'The Prodigy dataset to version' }),
		displayOptions: { show: { mode: ['datasetVersion'] } },
	},
	{
		displayName: 'Record in Dataset Meta',
		name: 'record',
		type: 'boolean',
		default: true,
		description:
			'Whether to add the version to the dataset meta "versions" (once per distinct content), so the Export operation can export exactly this version later',
		displayOptions: { show: { mode: ['datasetVersion'] } },
	},
	{
		displayName: 'Version Details',
		name: 'details',
		type: 'collection',
		placeholder: 'Add detail',
		default: {},
		displayOptions: { show: { mode: ['datasetVersion'] } },
		options: [
			{ ...provenanceFields[2] },
			{
				displayName: 'Source',
				name: 'source',
				type: 'string',
				default: '',
				placeholder: 'e.g. nightly export',
				description: 'Where this version came from or what it is for',
			},
			{
				displayName: 'Note',
				name: 'note',
				type: 'string',
				default: '',
				description: 'Free text kept with the version',
			},
		],
	},
	{
		displayName: 'Version ID From',
		name: 'versionSource',
		type: 'options',
		default: 'dataset',
		options: [
			{
				name: 'Current Version of a Dataset',
				value: 'dataset',
				description: 'Computed once per run from the dataset content',
			},
			{ name: 'A Value', value: 'value', description: 'For example the ID a previous Version Stamp returned' },
			{ name: 'None', value: 'none', description: 'Stamp without a version ID' },
		],
		displayOptions: { show: { mode: ['stampItems'] } },
	},
	{
		...datasetLocator({ name: 'versionDataset', description: 'The dataset whose current version ID is stamped' }),
		displayOptions: { show: { mode: ['stampItems'], versionSource: ['dataset'] } },
	},
	{
		displayName: 'Version ID',
		name: 'versionId',
		type: 'string',
		default: '',
		placeholder: 'Map the version ID from a previous Version Stamp',
		displayOptions: { show: { mode: ['stampItems'], versionSource: ['value'] } },
	},
	{
		displayName: 'Provenance Field',
		name: 'provenanceField',
		type: 'string',
		default: 'provenance',
		placeholder: 'e.g. meta.provenance',
		description:
			'Where the provenance goes in each item; dots make nested fields (meta.provenance shows in Prodigy\'s UI)',
		displayOptions: { show: { mode: ['stampItems'] } },
	},
	...provenanceFields.map((field) => ({ ...field, displayOptions: { show: { mode: ['stampItems'] } } })),
];
