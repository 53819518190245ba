import { randomUUID } from 'node:crypto';

import type { IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, WAIT_INDEFINITELY } from 'n8n-workflow';

import { evaluateRules, hasRules, openApprovalRequest, withdrawApprovalRequest, type ApprovalRequest } from '../../lib/approvals';
import { readDataset } from '../shared/descriptions';
import { errorMessage } from '../shared/errors';
import { withNodeStore } from '../shared/store';
import { datasetFacts, decisionJson, outputCount, readItemFacts, readRules, REJECTED, resultField, TIMED_OUT } from './decision';
import { approvalUrl, statusLink } from './links';

// Human mode: n8n's send-and-wait pattern. Everything the decision needs lives in the dataset meta (the pending
// request) and in the approver's link, never in memory, so any n8n main or worker process can take the POST.

const UNIT_MS = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;

/** Where a timeout sends its item: Timed Out when the node has that output, Rejected otherwise. */
function timeoutOutputs(ctx: IExecuteFunctions, item: INodeExecutionData): INodeExecutionData[][] {
	const outputs: INodeExecutionData[][] = Array.from({ length: outputCount((name) => ctx.getNodeParameter(name, 0, undefined)) }, () => []);
	outputs[outputs.length > TIMED_OUT ? TIMED_OUT : REJECTED].push(item);
	return outputs;
}

export async function executeHuman(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await withNodeStore(ctx, async ({ store }) => {
		const dataset = readDataset(ctx, 0);
		const { rules, agreementBy } = readRules(ctx, 0);
		const field = resultField(ctx);
		const now = new Date();
		const limited = ctx.getNodeParameter('limitWaitTime', 0, false) as boolean;
		let expiresAt: Date | null = null;
		if (limited) {
			const amount = ctx.getNodeParameter('waitAmount', 0) as number;
			const unit = ctx.getNodeParameter('waitUnit', 0) as keyof typeof UNIT_MS;
			expiresAt = new Date(now.getTime() + amount * UNIT_MS[unit]);
		}
		const requestId = randomUUID();
		const executionId = ctx.getExecutionId();
		const gateFacts =
			ctx.getNodeParameter('factsFrom', 0) === 'item' ? readItemFacts(ctx, 0) : await datasetFacts(store, dataset, agreementBy);
		const outcome = hasRules(rules) ? evaluateRules(gateFacts.facts, rules) : null;
		const resumeUrl = ctx.evaluateExpression('{{ $execution.resumeUrl }}', 0) as string;
		const status = statusLink(ctx, resumeUrl, dataset, requestId);
		const url = status?.link ?? approvalUrl(resumeUrl, ctx.getNode().id, dataset, requestId);
		const request: ApprovalRequest = {
			id: requestId,
			versionId: gateFacts.facts.versionId ?? null,
			checks: outcome?.checks ?? [],
			rulesDecision: outcome?.decision ?? null,
			createdAt: now.toISOString(),
			expiresAt: expiresAt?.toISOString() ?? null,
			summary: gateFacts.summary,
			message: String(ctx.getNodeParameter('message', 0, '') ?? ''),
			...(executionId ? { executionId: String(executionId) } : {}),
			nodeId: ctx.getNode().id,
			...status?.stored,
		};
		await openApprovalRequest(store, dataset, request, gateFacts.version ? { summary: gateFacts.version } : undefined);

		const notifyUrl = String(ctx.getNodeParameter('notifyUrl', 0, '') ?? '').trim();
		if (notifyUrl) {
			try {
				await ctx.helpers.httpRequest({
					method: 'POST',
					url: notifyUrl,
					json: true,
					body: {
						text: `Approval requested for Prodigy dataset "${dataset}"${request.versionId ? ` (version ${request.versionId.slice(0, 12)})` : ''}: ${url}`,
						approvalUrl: url,
						dataset,
						versionId: request.versionId,
						checks: request.checks,
						rulesDecision: request.rulesDecision,
						expiresAt: request.expiresAt,
					},
				});
			} catch (error) {
				// Nobody received the link: leave no request pending that could only ever time out.
				await withdrawApprovalRequest(store, dataset, requestId);
				throw new NodeApiError(ctx.getNode(), { message: errorMessage(error) } as JsonObject, {
					message: `Could not send the approval link to ${new URL(notifyUrl).host}: ${errorMessage(error)}`,
					description: 'Check "Send Approval Link To"; the request was withdrawn, nothing was decided.',
					itemIndex: 0,
				});
			}
		}

		// n8n resumes a timed-out wait without running this node again: the disabled node forwards what its stack
		// entry holds. So the timeout outcome is put there now (on Rejected or Timed Out, forwarded to that output);
		// a decision through the webhook replaces it. Both are stored with the execution, nothing stays in memory.
		const timeoutItem: INodeExecutionData = {
			json: {
				[field]: decisionJson(
					dataset,
					request.versionId,
					{ decision: 'rejected', reasons: ['timeout'], approver: null, time: request.expiresAt ?? now.toISOString(), mode: 'human', requestId },
					request.checks,
				),
			},
			pairedItem: { item: 0 },
		};
		const executeData = ctx.getExecuteData();
		executeData.data.main = timeoutOutputs(ctx, timeoutItem);
		executeData.metadata = { ...executeData.metadata, forwardAllOutputs: true };
		// On resume n8n forwards data.main as if each output were an input and stamps every item's pairedItem with
		// `input: <output index>`. With only one source entry, items on Rejected / Timed Out would lose their lineage
		// and `$('Earlier node').item` would resolve to nothing there; one entry per output keeps it.
		const [incoming] = executeData.source?.main ?? [];
		if (incoming) executeData.source = { ...executeData.source, main: executeData.data.main.map(() => incoming) };

		await ctx.putExecutionToWait(expiresAt ?? WAIT_INDEFINITELY);
		// Nothing is decided yet, so no output carries an item (one on Approved would read "1 item" on the canvas as
		// if approved). The approver link is shown above the node's output instead.
		ctx.addExecutionHints({
			message: `Waiting for approval of "${dataset}"${request.expiresAt ? ` until ${request.expiresAt}` : ''}. Approver link: ${url}`,
			location: 'outputPane',
		});
		return [[], []];
	});
}

