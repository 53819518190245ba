import type { IDisplayOptions, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { ProdigyInputError } from '../../lib/errors';

/** Stamps the resource/operation displayOptions onto an operation's properties once, so op files stay plain. */
export function forOperation(resource: string, operation: string, properties: INodeProperties[]): INodeProperties[] {
	const displayOptions: IDisplayOptions = { show: { resource: [resource], operation: [operation] } };
	return updateDisplayOptions(displayOptions, properties);
}

/**
 * A node subtitle that shows labels instead of option values ("new annotation", not "newAnnotation"): n8n shows a
 * subtitle expression's result as it is. `key` is an expression over $parameter giving the label's key.
 */
export function labelSubtitle(labels: Record<string, string>, key: string): string {
	return `={{ ${JSON.stringify(labels)}[${key}] }}`;
}

/** The Prodigy Dataset node's subtitle: each resource/operation pair's action text, e.g. "Add examples to a dataset". */
export function operationSubtitle(properties: INodeProperties[]): string {
	const labels: Record<string, string> = {};
	for (const property of properties) {
		if (property.name !== 'operation') continue;
		for (const resource of (property.displayOptions?.show?.resource ?? []) as string[]) {
			for (const option of (property.options ?? []) as INodePropertyOptions[]) {
				labels[`${resource}:${String(option.value)}`] = option.action ?? option.name;
			}
		}
	}
	return labelSubtitle(labels, '$parameter["resource"] + ":" + $parameter["operation"]');
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
							// Empty passes here: `required` reports it ("Parameter is required"), not as a space or comma.
							regex: '^[^, ]*$',
							errorMessage: 'Prodigy dataset names cannot contain spaces or commas',
						},
					},
				],
			},
		],
		...overrides,
	};
}

/**
 * A dataset picker where the dataset may not exist yet (Add, Merge's target): By Name first, since From List can
 * only offer datasets that exist.
 */
export function newDatasetLocator(overrides: Partial<INodeProperties> = {}): INodeProperties {
	return datasetLocator({ default: { mode: 'name', value: '' }, ...overrides });
}

/** A dataset locator's value for item `itemIndex` (From List or By Name both give the name). */
export function readDataset(ctx: IExecuteFunctions, itemIndex: number, name = 'dataset'): string {
	const value = ctx.getNodeParameter(name, itemIndex, '', { extractValue: true });
	const dataset = typeof value === 'string' ? value.trim() : '';
	if (!dataset) {
		throw new ProdigyInputError('No dataset given', { hint: 'Pick a dataset from the list or type its name.' });
	}
	return dataset;
}
