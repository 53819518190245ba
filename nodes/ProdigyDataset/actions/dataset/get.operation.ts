import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { DatasetNotFoundError } from '../../../../lib/errors';
import type { ProdigyStore } from '../../../../lib/store/types';
import { datasetLocator, forOperation } from '../../../shared/descriptions';
import { mapItems } from '../../../shared/items';
import { datasetJson, readDataset } from '../common';

const properties: INodeProperties[] = [datasetLocator()];

export const description = forOperation('dataset', 'get', properties);

export async function execute(this: IExecuteFunctions, store: ProdigyStore): Promise<INodeExecutionData[]> {
	return await mapItems(this, async (i) => {
		const name = readDataset(this, i);
		const info = await store.getDataset(name);
		if (!info) throw new DatasetNotFoundError(name);
		const [examples, sessions] = await Promise.all([store.countExamples(name), store.listSessions(name)]);
		return { ...datasetJson(info), examples, sessions: sessions.length };
	});
}
