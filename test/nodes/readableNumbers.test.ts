import type { ApprovalRequest } from '../../lib/approvals';
import { formatDuration, formatNumber, roundTo } from '../../lib/format';
import { renderApprovalPage } from '../../nodes/ApprovalGate/page';

describe('formatNumber', () => {
	it('rounds to three decimals and groups thousands', () => {
		expect(formatNumber(0.4373401534526854)).toBe('0.437');
		expect(formatNumber(0.03999999999999998)).toBe('0.04');
		expect(formatNumber(915410)).toBe('915,410');
		expect(formatNumber(2.5, 0)).toBe('3');
		expect(formatNumber(-0.0001)).toBe('-0');
	});

	it('leaves what is not a finite number as its string', () => {
		expect(formatNumber('n/a')).toBe('n/a');
		expect(formatNumber(Number.NaN)).toBe('NaN');
		expect(formatNumber(null)).toBe('null');
	});
});

describe('roundTo', () => {
	it('drops float noise and keeps a number', () => {
		expect(roundTo(0.48 - 0.44, 4)).toBe(0.04);
		expect(roundTo(0.4373401534526854, 4)).toBe(0.4373);
		expect(roundTo(-0.00001, 4)).toBe(0);
	});
});

describe('formatDuration', () => {
	const MINUTE = 60_000;
	it('gives the two largest whole units', () => {
		expect(formatDuration(915410 * MINUTE)).toBe('635 days 16 hours');
		expect(formatDuration(125 * MINUTE)).toBe('2 hours 5 minutes');
		expect(formatDuration(24 * 60 * MINUTE)).toBe('1 day');
		expect(formatDuration((24 * 60 + 1) * MINUTE)).toBe('1 day');
		expect(formatDuration(45 * MINUTE + 59_000)).toBe('45 minutes');
		expect(formatDuration(MINUTE)).toBe('1 minute');
	});

	it('says "less than a minute" below one', () => {
		expect(formatDuration(59_999)).toBe('less than a minute');
		expect(formatDuration(Number.NaN)).toBe('less than a minute');
	});
});

describe('approval page numbers', () => {
	it('shows check values, limits and summary numbers rounded', () => {
		const request: ApprovalRequest = {
			id: 'r',
			versionId: null,
			checks: [
				{ check: 'maxRejectShare', value: 0.4373401534526854, limit: 0.25, passed: false, reason: 'Reject share 0.4373 is above the maximum 0.25' },
			],
			rulesDecision: 'rejected',
			createdAt: '2030-01-01T00:00:00.000Z',
			expiresAt: null,
			summary: { Annotations: 12345, 'Reject share': 0.4373401534526854 },
		};
		const html = renderApprovalPage({ dataset: 'news', request });
		expect(html).not.toContain('0.4373401534526854');
		expect(html).toContain('<td>0.437</td><td>0.25</td>');
		expect(html).toContain('<dt>Reject share</dt><dd>0.437</dd>');
		expect(html).toContain('<dt>Annotations</dt><dd>12,345</dd>');
	});
});
