import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { ProdigyStore } from '../../../../lib/store/types';
import { datasetLocator, forOperation } from '../../../shared/descriptions';
import { mapItems } from '../../../shared/items';
import { readDataset } from '../common';

const properties: INodeProperties[] = [
	datasetLocator({
		description:
			'The dataset to delete, like "prodigy drop": its links go, and examples no session still holds are deleted. This cannot be undone.',
	}),
];

export const description = forOperation('dataset', 'delete', properties);

export async function execute(this: IExecuteFunctions, store: ProdigyStore): Promise<INodeExecutionData[]> {
	return await mapItems(this, async (i) => {
		const name = readDataset(this, i);
		const result = await store.dropDataset(name);
		return { deleted: true, dataset: name, linksDeleted: result.linksDeleted, examplesDeleted: result.examplesDeleted };
	});
}
