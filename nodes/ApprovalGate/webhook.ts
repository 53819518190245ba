import type { INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import {
	ApprovalRequestClosedError,
	decideApprovalRequest,
	decisionForRequest,
	findApprovalRequest,
	isExpired,
	requestBelongsTo,
	type ApprovalRecord,
} from '../../lib/approvals';
import { withWebhookStore } from '../shared/store';
import { APPROVED, decisionJson, fieldName, outputCount, REJECTED } from './decision';
import { PAGE_HEADERS, renderApprovalPage, renderOutcomePage } from './page';

function send(ctx: IWebhookFunctions, status: number, html: string): void {
	const res = ctx.getResponseObject();
	res.status(status);
	for (const [name, value] of Object.entries(PAGE_HEADERS)) res.setHeader(name, value);
	res.end(html);
}

function firstString(value: unknown): string {
	if (Array.isArray(value)) return firstString(value[0]);
	return typeof value === 'string' ? value : '';
}

/**
 * GET shows the approver page and never changes anything (link scanners and previews fetch URLs). POST with a
 * name and Approve / Reject decides: the request is closed and the decision recorded in one transaction, then the
 * execution resumes on the matching output.
 */
export async function approvalWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const req = this.getRequestObject();
	const query = req.query as Record<string, unknown>;
	const dataset = firstString(query.dataset);
	const requestId = firstString(query.request);
	if (!dataset || !requestId) {
		send(this, 400, renderOutcomePage('Invalid approval link', 'The link is incomplete. Open the link exactly as you received it.'));
		return { noWebhookResponse: true };
	}
	return await withWebhookStore(this, async ({ store, nodeError }) => {
		const info = (await store.hasSchema()) ? await store.getDataset(dataset) : null;
		// Another execution's (or node's) request is "not found" here: the link must not even reveal it exists.
		const binding = { executionId: this.getExecutionId() || undefined, nodeId: this.getNode().id };
		const found = info ? findApprovalRequest(info.meta, requestId) : null;
		const request = found && requestBelongsTo(found, binding) ? found : null;
		const now = new Date();
		if (!info || !request || isExpired(request, now)) {
			const record = info ? decisionForRequest(info.meta, requestId) : null;
			const decided = record && (record.executionId ?? '') === (binding.executionId ?? '') ? record : null;
			const expired = request !== null && isExpired(request, now);
			send(
				this,
				decided || expired ? 410 : 404,
				decided
					? renderOutcomePage('Already decided', 'This approval request has already been decided.', decided)
					: renderOutcomePage(
							expired ? 'Approval request expired' : 'Approval request not found',
							expired ? 'The time to decide on this request has run out.' : 'There is no open approval request for this link.',
						),
			);
			return { noWebhookResponse: true };
		}

		const message = request.message;
		if (req.method !== 'POST') {
			send(this, 200, renderApprovalPage({ dataset, request, message }));
			return { noWebhookResponse: true };
		}

		const body = this.getBodyData();
		const name = firstString(body.name).trim().slice(0, 200);
		const comment = firstString(body.comment).trim().slice(0, 2000);
		const choice = firstString(body.decision);
		if (!name || (choice !== 'approve' && choice !== 'reject')) {
			const error = !name ? 'Please enter your name.' : 'Please choose Approve or Reject.';
			send(this, 400, renderApprovalPage({ dataset, request, message, error, name, comment }));
			return { noWebhookResponse: true };
		}
		let approval: ApprovalRecord;
		try {
			({ approval } = await decideApprovalRequest(store, dataset, requestId, {
				decision: choice === 'approve' ? 'approved' : 'rejected',
				approver: name,
				comment: comment || undefined,
				now,
			}));
		} catch (error) {
			if (!(error instanceof ApprovalRequestClosedError)) throw nodeError(error, 0);
			send(this, 409, renderOutcomePage('Already decided', error.message, error.decided));
			return { noWebhookResponse: true };
		}
		send(
			this,
			200,
			renderOutcomePage(
				approval.decision === 'approved' ? 'Approved' : 'Rejected',
				'Your decision has been recorded. You can close this page.',
				approval,
			),
		);
		const item: INodeExecutionData = {
			json: { [fieldName(this.getNodeParameter('resultField', 'approval'))]: decisionJson(dataset, request.versionId, approval, request.checks) },
			pairedItem: { item: 0 },
		};
		const outputs = outputCount((name) => this.getNodeParameter(name, undefined));
		const workflowData: INodeExecutionData[][] = Array.from({ length: outputs }, () => []);
		workflowData[approval.decision === 'approved' ? APPROVED : REJECTED].push(item);
		return { noWebhookResponse: true, workflowData };
	});
}

