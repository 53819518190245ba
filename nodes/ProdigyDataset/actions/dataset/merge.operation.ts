import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { ProdigyInputError } from '../../../../lib/errors';
import { HASH_PRESETS } from '../../../../lib/hashing';
import type { DedupeMode } from '../../../../lib/store/types';
import { parseKeyList } from '../../../../lib/tasks';
import { forOperation, newDatasetLocator, readDataset } from '../../../shared/descriptions';
import type { StoreRun } from '../../../shared/store';
import { skipDuplicatesOption } from '../common';

const properties: INodeProperties[] = [
	{
		displayName: 'Source Datasets',
		name: 'sources',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. ner_news_alex,ner_news_sam',
		description: 'Datasets whose examples are added to the target, separated by commas (like "prodigy db-merge")',
	},
	newDatasetLocator({
		displayName: 'Target Dataset',
		description: 'The dataset that receives the examples; created when it does not exist (type its name under By Name)',
	}),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Create Target If Missing',
				name: 'createDataset',
				type: 'boolean',
				default: true,
				description: 'Whether to create the target dataset when it does not exist yet',
			},
			skipDuplicatesOption('examples', 'the target', 'none'),
			{
				displayName: 'Rehash for Review',
				name: 'rehashReview',
				type: 'boolean',
				default: false,
				description:
					'Whether to recompute the hashes with the keys Prodigy\'s review recipe uses (text, image, html, options, audio, video / spans, label, accept...), so answers to the same question group together for review',
			},
		],
	},
];

export const description = forOperation('dataset', 'merge', properties);

export async function execute(this: IExecuteFunctions, { store, eachItem }: StoreRun): Promise<INodeExecutionData[]> {
	return await eachItem(async (i) => {
		const target = readDataset(this, i);
		const sources = parseKeyList(this.getNodeParameter('sources', i) as string);
		if (sources.length === 0) {
			throw new ProdigyInputError('No source datasets given', { hint: 'List them separated by commas, e.g. a,b.' });
		}
		const options = this.getNodeParameter('options', i, {}) as IDataObject;
		const result = await store.mergeDatasets(sources, target, {
			createDataset: options.createDataset !== false,
			dedupe: (options.dedupe as DedupeMode | undefined) ?? 'none',
			rehash: options.rehashReview === true ? { ...HASH_PRESETS.review, overwrite: true } : undefined,
		});
		return { target, sources, ...result } as IDataObject;
	});
}
