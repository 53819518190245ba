import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

/** Stamps the resource/operation displayOptions onto an operation's properties once, so op files stay plain. */
export function forOperation(resource: string, operation: string, properties: INodeProperties[]): INodeProperties[] {
	const displayOptions: IDisplayOptions = { show: { resource: [resource], operation: [operation] } };
	return updateDisplayOptions(displayOptions, properties);
}

/** A dataset picker: From List (searchable, via the `searchDatasets` listSearch method) or By Name. */
export function datasetLocator(overrides: Partial<INodeProperties> = {}): INodeProperties {
	return {
		displayName: 'Dataset',
		name: 'dataset',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: 'The Prodigy dataset (the name you pass to prodigy recipes, e.g. ner_news)',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a dataset...',
				typeOptions: { searchListMethod: 'searchDatasets', searchable: true },
			},
			{
				displayName: 'By Name',
				name: 'name',
				type: 'string',
				placeholder: 'e.g. ner_news',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: '^[^, ]+$',
							errorMessage: 'Prodigy dataset names cannot contain spaces or commas',
						},
					},
				],
			},
		],
		...overrides,
	};
}
