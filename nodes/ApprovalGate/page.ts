// The approver's web page: plain HTML, no scripts (the headers forbid them), every value escaped. GET shows it;
// the form POSTs to the execution's resume URL (the same URL, or the one behind a status link), which is the only
// way a decision is made.
import type { ApprovalRecord, ApprovalRequest } from '../../lib/approvals';
import { formatNumber } from '../../lib/format';

export function escapeHtml(value: unknown): string {
	return String(value ?? '')
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&#39;');
}

/** Sent with every page: nothing may run or be framed, and the tokenised URL must not leak through a Referer. */
export const PAGE_HEADERS: Record<string, string> = {
	'Content-Type': 'text/html; charset=utf-8',
	'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
	'Referrer-Policy': 'no-referrer',
	'Cache-Control': 'no-store',
	'X-Content-Type-Options': 'nosniff',
};

const STYLE = `
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f5f5f7;color:#1d1d1f}
main{max-width:760px;margin:32px auto;background:#fff;border-radius:10px;padding:28px 32px;box-shadow:0 1px 4px rgba(0,0,0,.08)}
h1{font-size:22px;margin:0 0 16px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px;margin:0 0 20px}
dt{color:#6e6e73}dd{margin:0;word-break:break-all}
table{border-collapse:collapse;width:100%;margin:0 0 20px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e5e5ea;font-size:14px}
.pass{color:#1a7f37}.fail{color:#c62828}.note{color:#6e6e73;font-size:14px}
.message{white-space:pre-wrap;background:#f5f5f7;border-radius:6px;padding:12px;margin:0 0 20px}
label{display:block;font-weight:600;margin:12px 0 4px}
input[type=text],textarea{width:100%;box-sizing:border-box;padding:8px;border:1px solid #c7c7cc;border-radius:6px;font:inherit}
.buttons{margin-top:18px;display:flex;gap:12px}
button{font:inherit;padding:10px 22px;border-radius:6px;border:0;cursor:pointer}
.approve{background:#1a7f37;color:#fff}.reject{background:#c62828;color:#fff}
.error{background:#fdecea;color:#c62828;padding:10px 12px;border-radius:6px;margin:0 0 16px}
`;

function layout(title: string, body: string): string {
	return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

export interface ApprovalPageInput {
	dataset: string;
	request: ApprovalRequest;
	message?: string;
	/** Shown above the form when a POST was incomplete. */
	error?: string;
	/** What the approver typed, kept when the form is shown again. */
	name?: string;
	comment?: string;
	/** Where the form posts; by default to the URL that showed it. */
	action?: string;
}

/** Numbers rounded for the approver (a share of 0.4373401534526854 reads 0.437); anything else as it is. */
function readable(value: unknown): unknown {
	return typeof value === 'number' ? formatNumber(value) : value;
}

function checksTable(request: ApprovalRequest): string {
	if (request.checks.length === 0) return '<p class="note">No rules are configured for this approval.</p>';
	const rows = request.checks
		.map(
			(check) =>
				`<tr><td>${escapeHtml(check.reason)}</td><td>${escapeHtml(readable(check.value ?? '—'))}</td><td>${escapeHtml(readable(check.limit))}</td>` +
				`<td class="${check.passed ? 'pass' : 'fail'}">${check.passed ? 'passed' : 'failed'}</td></tr>`,
		)
		.join('');
	const verdict =
		request.rulesDecision === null
			? ''
			: `<p class="${request.rulesDecision === 'approved' ? 'pass' : 'fail'}">The rules ${request.rulesDecision === 'approved' ? 'pass' : 'do not pass'}.</p>`;
	return `<table><thead><tr><th>Check</th><th>Value</th><th>Limit</th><th>Result</th></tr></thead><tbody>${rows}</tbody></table>${verdict}`;
}

function summaryRows(request: ApprovalRequest): string {
	const summary = request.summary ?? {};
	return Object.entries(summary)
		.map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(typeof value === 'object' ? JSON.stringify(value) : readable(value))}</dd>`)
		.join('');
}

/** The page a GET shows: what is to be approved, the rule results, and the decision form. */
export function renderApprovalPage(input: ApprovalPageInput): string {
	const { request } = input;
	const details =
		`<dl><dt>Dataset</dt><dd>${escapeHtml(input.dataset)}</dd>` +
		`<dt>Version</dt><dd>${escapeHtml(request.versionId ?? '(not versioned)')}</dd>` +
		summaryRows(request) +
		`<dt>Requested</dt><dd>${escapeHtml(request.createdAt)}</dd>` +
		`<dt>Expires</dt><dd>${escapeHtml(request.expiresAt ?? 'never')}</dd></dl>`;
	const message = input.message ? `<div class="message">${escapeHtml(input.message)}</div>` : '';
	const error = input.error ? `<div class="error" role="alert">${escapeHtml(input.error)}</div>` : '';
	// An empty action posts to this very URL, signature and request id included.
	const form =
		`<form method="post" action="${escapeHtml(input.action ?? '')}">${error}` +
		`<label for="name">Your name</label><input type="text" id="name" name="name" required maxlength="200" value="${escapeHtml(input.name)}">` +
		`<label for="comment">Comment</label><textarea id="comment" name="comment" rows="3" maxlength="2000">${escapeHtml(input.comment)}</textarea>` +
		'<div class="buttons"><button class="approve" type="submit" name="decision" value="approve">Approve</button>' +
		'<button class="reject" type="submit" name="decision" value="reject">Reject</button></div></form>';
	return layout(`Approve dataset ${input.dataset}?`, `<h1>Approve dataset “${escapeHtml(input.dataset)}”?</h1>${message}${details}${checksTable(request)}${form}`);
}

/** "2026-12-08 10:31 UTC": approvers in different places read the same minute, whatever their browser's zone. */
export function readableTime(iso: string): string {
	const time = new Date(iso);
	return Number.isNaN(time.getTime()) ? iso : `${time.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** How a request ended, in one sentence: "Approved by alice@example.com on 2026-12-08 10:31 UTC". */
export function decisionSentence(decision: ApprovalRecord): string {
	const verdict = decision.decision === 'approved' ? 'Approved' : 'Rejected';
	const when = readableTime(decision.time);
	if (decision.approver) return `${verdict} by ${decision.approver} on ${when}`;
	// A request nobody answered in time is recorded as a rejection without an approver (sweepExpiredRequests).
	if (decision.reasons.includes('timeout')) return `Rejected on ${when}: nobody decided before the request expired`;
	return `${verdict} by the rules on ${when}`;
}

function decisionDetail(decision: ApprovalRecord): string {
	const comment = decision.comment ? `<p class="note">Comment</p><div class="message">${escapeHtml(decision.comment)}</div>` : '';
	const version = decision.versionId ? `<p class="note">Version ${escapeHtml(decision.versionId)}</p>` : '';
	return `<p class="${decision.decision === 'approved' ? 'pass' : 'fail'}"><strong>${escapeHtml(decisionSentence(decision))}</strong></p>${comment}${version}`;
}

/**
 * The page after a decision, when the request is no longer open, or when the link cannot be served. It shows only
 * what the text and the recorded decision say: never an error's message, stack or anything of the server.
 */
export function renderOutcomePage(title: string, text: string, decision?: ApprovalRecord | null): string {
	return layout(title, `<h1>${escapeHtml(title)}</h1>${decision ? decisionDetail(decision) : ''}<p>${escapeHtml(text)}</p>`);
}
