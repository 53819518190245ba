import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { datasetLocator, forOperation, readDataset } from '../../../shared/descriptions';
import type { StoreRun } from '../../../shared/store';

const properties: INodeProperties[] = [
	datasetLocator({
		description:
			'The dataset to delete, like "prodigy drop": its links go, and examples no session still holds are deleted. This cannot be undone.',
	}),
];

export const description = forOperation('dataset', 'delete', properties);

export async function execute(this: IExecuteFunctions, { store, eachItem }: StoreRun): Promise<INodeExecutionData[]> {
	return await eachItem(async (i) => {
		const name = readDataset(this, i);
		const result = await store.dropDataset(name);
		return { deleted: true, dataset: name, linksDeleted: result.linksDeleted, examplesDeleted: result.examplesDeleted };
	});
}
