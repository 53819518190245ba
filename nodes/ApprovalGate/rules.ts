import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { evaluateRules, hasRules, recordDecision, type ApprovalRecord } from '../../lib/approvals';
import { ProdigyInputError } from '../../lib/errors';
import { setPathValue } from '../../lib/paths';
import { readDataset } from '../shared/descriptions';
import { decideEach, routeItems } from '../shared/routing';
import { withNodeStore } from '../shared/store';
import { APPROVED, datasetFacts, decisionJson, readItemFacts, readRules, REJECTED, resultField, type GateFacts } from './decision';

/** Every input item is one decision, recorded in the dataset's audit trail and routed Approved / Rejected. */
export async function executeRules(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const field = resultField(ctx);
	return await withNodeStore(ctx, async ({ store, nodeError }) => {
		// Items naming the same dataset are checked against one pass over it.
		const computed = new Map<string, GateFacts>();
		const routes = await decideEach(ctx, async (itemIndex, item) => {
			const dataset = readDataset(ctx, itemIndex);
			const { rules, agreementBy } = readRules(ctx, itemIndex);
			if (!hasRules(rules)) {
				throw new ProdigyInputError('No rule is configured, so nothing could be checked', {
					hint: 'Add at least one rule, or use Human Approval mode.',
					index: itemIndex,
				});
			}
			let gateFacts: GateFacts;
			if (ctx.getNodeParameter('factsFrom', itemIndex) === 'item') {
				gateFacts = readItemFacts(ctx, itemIndex);
			} else {
				const key = `${agreementBy}:${dataset}`;
				gateFacts = computed.get(key) ?? (await datasetFacts(store, dataset, agreementBy));
				computed.set(key, gateFacts);
			}
			const outcome = evaluateRules(gateFacts.facts, rules);
			const versionId = gateFacts.facts.versionId ?? null;
			const approval: ApprovalRecord = {
				versionId,
				decision: outcome.decision,
				approver: null,
				reasons: outcome.reasons,
				time: new Date().toISOString(),
				mode: 'rules',
				checks: outcome.checks,
				...(ctx.getExecutionId() ? { executionId: String(ctx.getExecutionId()) } : {}),
			};
			await recordDecision(store, dataset, approval, gateFacts.version ? { summary: gateFacts.version } : undefined);
			const json = setPathValue({ ...item.json }, field, decisionJson(dataset, versionId, approval, outcome.checks)) as IDataObject;
			return { output: outcome.decision === 'approved' ? APPROVED : REJECTED, json };
		});
		return routeItems(ctx, 2, routes, { errorOutput: REJECTED, nodeError });
	});
}

