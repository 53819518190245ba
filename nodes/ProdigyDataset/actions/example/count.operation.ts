import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { ProdigyStore } from '../../../../lib/store/types';
import { datasetLocator, forOperation } from '../../../shared/descriptions';
import { mapItems } from '../../../shared/items';
import { readDataset } from '../common';
import { exampleFilters, readFilters } from './filters';

const properties: INodeProperties[] = [datasetLocator(), exampleFilters];

export const description = forOperation('example', 'count', properties);

export async function execute(this: IExecuteFunctions, store: ProdigyStore): Promise<INodeExecutionData[]> {
	return await mapItems(this, async (i) => {
		const dataset = readDataset(this, i);
		const filters = readFilters(this.getNodeParameter('filters', i, {}) as IDataObject);
		return { dataset, count: await store.countExamples(dataset, filters) };
	});
}
