// How n8n's editor (2.40) treats the credentials of the pack's nodes. The editor's node panel and NDV look for a
// "main authentication field": a parameter named `authentication`, or else the first parameter that the
// credentials' `displayOptions.show` name and whose every option value those `show` lists cover (editor-ui
// utils/nodeTypesUtils.ts, getMainAuthField / findAlternativeAuthField). That field is hidden and set from the
// credential the editor picks when a node is added, which made every Prodigy Dataset action from the panel open as
// Dataset → Get Many. This test re-states the editor's rule over every node; the e2e editor test proves it in n8n.
import type { INode, INodeCredentialDescription, INodeProperties, INodeTypeDescription } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { ApprovalGate } from '../../nodes/ApprovalGate/ApprovalGate.node';
import { ConfidenceFilter } from '../../nodes/ConfidenceFilter/ConfidenceFilter.node';
import { ProdigyDataset } from '../../nodes/ProdigyDataset/ProdigyDataset.node';
import { ProdigyDatasetTrigger } from '../../nodes/ProdigyDatasetTrigger/ProdigyDatasetTrigger.node';
import { VersionStamp } from '../../nodes/VersionStamp/VersionStamp.node';

const NODES: INodeTypeDescription[] = [
	new ProdigyDataset().description,
	new ProdigyDatasetTrigger().description,
	new ConfidenceFilter().description,
	new VersionStamp().description,
	new ApprovalGate().description,
];

/** The editor's getMainAuthField, restated: null when no parameter would be taken for the authentication field. */
function mainAuthField(description: INodeTypeDescription): INodeProperties | null {
	const shown: Record<string, string[]> = {};
	for (const credential of description.credentials ?? []) {
		for (const [name, values] of Object.entries(credential.displayOptions?.show ?? {})) {
			shown[name] = [...(shown[name] ?? []), ...(values ?? []).map((value) => String(value ?? ''))];
		}
	}
	const fields = description.properties.filter((property) => property.name in shown);
	const named = fields.find((field) => field.name === 'authentication');
	if (named) return named;
	return (
		fields.find((field) =>
			(field.options ?? []).every((option) => !('value' in option) || typeof option.value !== 'string' || shown[field.name].includes(option.value)),
		) ?? null
	);
}

function visibleCredentials(description: INodeTypeDescription, parameters: Record<string, unknown>): string[] {
	const node = { parameters, typeVersion: 1 } as unknown as INode;
	return (description.credentials ?? [])
		.filter((credential: INodeCredentialDescription) =>
			credential.displayOptions === undefined
				? true
				: NodeHelpers.displayParameter(parameters as never, credential as never, node, description),
		)
		.map((credential) => credential.name);
}

describe('credentials in the editor', () => {
	it.each(NODES.map((description) => [description.displayName, description]))(
		'%s: no parameter is taken for the authentication field (none is hidden or overwritten by a credential)',
		(_name, description) => {
			expect(mainAuthField(description)).toBeNull();
		},
	);

	it('the restated rule finds the field the old descriptions gave away (so this test can fail)', () => {
		const old = new ProdigyDataset().description;
		const withShow = {
			...old,
			credentials: [
				{ name: 'prodigyDatabaseApi', displayOptions: { show: { resource: ['dataset', 'example', 'session'] } } },
				{ name: 'prodigyServerApi', displayOptions: { show: { resource: ['server'] } } },
			],
		} as INodeTypeDescription;
		expect(mainAuthField(withShow)?.name).toBe('resource');
		const filter = new ConfidenceFilter().description;
		expect(mainAuthField({ ...filter, credentials: [{ name: 'prodigyDatabaseApi', displayOptions: { show: { skipExisting: [true] } } }] })?.name).toBe(
			'skipExisting',
		);
	});

	it('Prodigy Dataset: the database credential for database resources, the server credential for the server', () => {
		const description = new ProdigyDataset().description;
		for (const resource of ['dataset', 'example', 'session']) {
			expect(visibleCredentials(description, { resource })).toEqual(['prodigyDatabaseApi']);
		}
		expect(visibleCredentials(description, { resource: 'server' })).toEqual(['prodigyServerApi']);
	});

	it('Confidence Filter asks for a database only when it skips inputs already in a dataset', () => {
		const description = new ConfidenceFilter().description;
		expect(visibleCredentials(description, { skipExisting: false })).toEqual([]);
		expect(visibleCredentials(description, { skipExisting: true })).toEqual(['prodigyDatabaseApi']);
	});

	it('Version Stamp asks for a database only when the version is computed from one', () => {
		const description = new VersionStamp().description;
		expect(visibleCredentials(description, { versionSource: 'value' })).toEqual([]);
		expect(visibleCredentials(description, { versionSource: 'none' })).toEqual([]);
		expect(visibleCredentials(description, { versionSource: 'dataset' })).toEqual(['prodigyDatabaseApi']);
	});
});
