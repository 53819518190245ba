import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { DatasetNotFoundError } from '../../../../lib/errors';
import { datasetLocator, forOperation, readDataset } from '../../../shared/descriptions';
import type { StoreRun } from '../../../shared/store';
import { datasetJson } from '../common';

const properties: INodeProperties[] = [datasetLocator()];

export const description = forOperation('dataset', 'get', properties);

export async function execute(this: IExecuteFunctions, { store, eachItem }: StoreRun): Promise<INodeExecutionData[]> {
	return await eachItem(async (i) => {
		const name = readDataset(this, i);
		const info = await store.getDataset(name);
		if (!info) throw new DatasetNotFoundError(name);
		const [examples, sessions] = await Promise.all([store.countExamples(name), store.listSessions(name)]);
		return { ...datasetJson(info), examples, sessions: sessions.length };
	});
}
