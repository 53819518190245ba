import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { DATABASE_CREDENTIAL, withStore } from './store';

/** listSearch for dataset pickers: main datasets (not session datasets), filtered by the typed text. */
export async function searchDatasets(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const credentials = await this.getCredentials(DATABASE_CREDENTIAL);
	const datasets = await withStore(credentials, async (store) =>
		(await store.hasSchema()) ? store.listDatasets({ nameContains: filter || undefined }) : [],
	);
	return { results: datasets.map((dataset) => ({ name: dataset.name, value: dataset.name })) };
}
