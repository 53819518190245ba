import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
} from 'n8n-workflow';

import { toNodeError } from './errors';

export type ItemResult = IDataObject | IDataObject[] | INodeExecutionData | INodeExecutionData[];

function isExecutionData(value: IDataObject | INodeExecutionData): value is INodeExecutionData {
	return typeof value.json === 'object' && value.json !== null && !Array.isArray(value.json);
}

/** Wraps a handler's result as output items of input item `itemIndex`, each carrying its pairedItem. */
export function linkToItem(result: ItemResult, itemIndex: number): INodeExecutionData[] {
	const list = Array.isArray(result) ? result : [result];
	return list.map((entry) =>
		isExecutionData(entry)
			? { ...entry, pairedItem: { item: itemIndex } }
			: { json: entry as IDataObject, pairedItem: { item: itemIndex } },
	);
}

/** The item that continue-on-fail emits in place of a failed one; it wrote nothing. */
export function errorItem(message: string, itemIndex: number): INodeExecutionData {
	return { json: { error: message }, pairedItem: { item: itemIndex } };
}

/**
 * The one item loop of the pack: runs `handler` per input item, links every output to its input (pairedItem), and
 * on failure either throws an item-indexed n8n error or, with continue-on-fail, emits `{ error }` for that item.
 */
export async function mapItems(
	ctx: IExecuteFunctions,
	handler: (itemIndex: number, item: INodeExecutionData) => Promise<ItemResult>,
	credentials?: ICredentialDataDecryptedObject,
): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			output.push(...linkToItem(await handler(itemIndex, items[itemIndex]), itemIndex));
		} catch (error) {
			const nodeError = toNodeError(ctx.getNode(), error, itemIndex, credentials);
			if (!ctx.continueOnFail()) throw nodeError;
			output.push(errorItem(nodeError.message, itemIndex));
		}
	}
	return output;
}
