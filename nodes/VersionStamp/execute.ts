import type { ICredentialDataDecryptedObject, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { ProdigyInputError } from '../../lib/errors';
import { setPathValue } from '../../lib/paths';
import type { ProdigyStore } from '../../lib/store/types';
import { computeVersion, recordVersion, type VersionSummary } from '../../lib/versions';
import { mapItems } from '../shared/items';
import { DATABASE_CREDENTIAL, withStore } from '../shared/store';

interface VersionDetails {
	modelVersion?: string;
	source?: string;
	note?: string;
}

function datasetName(ctx: IExecuteFunctions, parameter: string, itemIndex: number): string {
	return ctx.getNodeParameter(parameter, itemIndex, undefined, { extractValue: true }) as string;
}

/** Dataset Version: one version record per input item; a dataset named by several items is hashed once. */
async function datasetVersions(
	ctx: IExecuteFunctions,
	store: ProdigyStore,
	credentials: ICredentialDataDecryptedObject,
): Promise<INodeExecutionData[]> {
	const computed = new Map<string, VersionSummary>();
	return await mapItems(
		ctx,
		async (itemIndex) => {
			const dataset = datasetName(ctx, 'dataset', itemIndex);
			if (!(await store.getDataset(dataset))) {
				throw new ProdigyInputError(`Dataset "${dataset}" does not exist`, {
					hint: 'Check the name (it is case-sensitive), or create the dataset first.',
				});
			}
			let summary = computed.get(dataset);
			if (!summary) {
				summary = await computeVersion(store, dataset);
				computed.set(dataset, summary);
			}
			const details = ctx.getNodeParameter('details', itemIndex, {}) as VersionDetails;
			if (!(ctx.getNodeParameter('record', itemIndex) as boolean)) {
				return { dataset, ...summary, recorded: false };
			}
			const { version, recorded } = await recordVersion(store, dataset, summary, details);
			return { dataset, ...(version as unknown as IDataObject), recorded };
		},
		credentials,
	);
}

/** Stamp Items: provenance under a configurable key, the same version id and time for the whole run. */
async function stampItems(ctx: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const versionSource = ctx.getNodeParameter('versionSource', 0) as 'dataset' | 'value' | 'none';
	const timestamp = new Date().toISOString();
	let credentials: ICredentialDataDecryptedObject | undefined;
	let current: { dataset: string; version: VersionSummary } | undefined;
	if (versionSource === 'dataset') {
		credentials = await ctx.getCredentials<ICredentialDataDecryptedObject>(DATABASE_CREDENTIAL);
		const dataset = datasetName(ctx, 'versionDataset', 0);
		const version = await withStore(credentials, async (store) => {
			if (!(await store.hasSchema()) || !(await store.getDataset(dataset))) {
				throw new ProdigyInputError(`Dataset "${dataset}" does not exist`, {
					hint: 'Check the name (it is case-sensitive), or create the dataset first.',
				});
			}
			return await computeVersion(store, dataset);
		});
		current = { dataset, version };
	}
	return await mapItems(
		ctx,
		async (itemIndex, item) => {
			const provenance: IDataObject = {};
			if (current) {
				provenance.versionId = current.version.id;
				provenance.dataset = current.dataset;
			} else if (versionSource === 'value') {
				const versionId = String(ctx.getNodeParameter('versionId', itemIndex) ?? '').trim();
				if (versionId) provenance.versionId = versionId;
			}
			provenance.timestamp = timestamp;
			for (const key of ['sourceSystem', 'sourceRecordId', 'modelVersion']) {
				const value = ctx.getNodeParameter(key, itemIndex, '') as string | number;
				if (value !== '' && value !== null && value !== undefined) provenance[key] = value;
			}
			const field = (ctx.getNodeParameter('provenanceField', itemIndex) as string).trim();
			if (!field) throw new ProdigyInputError('Provenance Field is empty', { hint: 'Name the field, e.g. provenance.' });
			return { json: setPathValue({ ...item.json }, field, provenance) as IDataObject, ...(item.binary ? { binary: item.binary } : {}) };
		},
		credentials,
	);
}

export async function executeVersionStamp(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const mode = this.getNodeParameter('mode', 0) as 'datasetVersion' | 'stampItems';
	if (mode === 'stampItems') return [await stampItems(this)];
	const credentials = await this.getCredentials<ICredentialDataDecryptedObject>(DATABASE_CREDENTIAL);
	return [await withStore(credentials, async (store) => await datasetVersions(this, store, credentials))];
}

