import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { datasetLocator, forOperation, readDataset } from '../../../shared/descriptions';
import type { StoreRun } from '../../../shared/store';
import { exampleFilters, readFilters } from './filters';

const properties: INodeProperties[] = [datasetLocator(), exampleFilters];

export const description = forOperation('example', 'count', properties);

export async function execute(this: IExecuteFunctions, { store, eachItem }: StoreRun): Promise<INodeExecutionData[]> {
	return await eachItem(async (i) => {
		const dataset = readDataset(this, i);
		const filters = readFilters(this.getNodeParameter('filters', i, {}) as IDataObject);
		return { dataset, count: await store.countExamples(dataset, filters) };
	});
}
