import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	NodeApiError,
	NodeOperationError,
} from 'n8n-workflow';

import { errorMessage, toNodeError } from './errors';

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
 * `credentials` is the credential whose secrets no error may show (undefined only when the run uses none).
 */
export async function mapItems(
	ctx: IExecuteFunctions,
	handler: (itemIndex: number, item: INodeExecutionData) => Promise<ItemResult>,
	credentials: ICredentialDataDecryptedObject | undefined,
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

/** The error mapping of one node run, bound once to the credential the run uses. */
export interface ErrorKit {
	/** An item-indexed n8n error for `error`, scrubbed of the run's secrets. */
	nodeError(error: unknown, itemIndex: number): NodeOperationError | NodeApiError;
	/** The error's message, scrubbed of the run's secrets (for results that report a failure instead of raising it). */
	errorMessage(error: unknown): string;
}

/** The item loop and error mapping of one node run, bound once to the credential the run uses. */
export interface RunKit extends ErrorKit {
	/** mapItems over the input, its errors scrubbed of the run's secrets. */
	eachItem(handler: (itemIndex: number, item: INodeExecutionData) => Promise<ItemResult>): Promise<INodeExecutionData[]>;
}

export function errorKit(node: INode, credentials: ICredentialDataDecryptedObject | undefined): ErrorKit {
	return {
		nodeError: (error, itemIndex) => toNodeError(node, error, itemIndex, credentials),
		errorMessage: (error) => errorMessage(error, credentials),
	};
}

export function runKit(ctx: IExecuteFunctions, credentials: ICredentialDataDecryptedObject | undefined): RunKit {
	return {
		...errorKit(ctx.getNode(), credentials),
		eachItem: async (handler) => await mapItems(ctx, handler, credentials),
	};
}
