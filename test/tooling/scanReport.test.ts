// scripts/scan.js reads n8n's community-package scanner report back into findings and fails the scan on any
// finding its KNOWN list does not explain, or on a KNOWN entry the scanner no longer reports.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const scan = require('../../scripts/scan.js') as {
	parseReport(details: string, root: string): Finding[];
	compare(leg: string, findings: Finding[]): { unexpected: Finding[]; stale: Array<{ file: string; message: string }> };
};

interface Finding {
	file: string;
	line: number;
	rule: string;
	message: string;
}

// A report as analyzePackage returns it (ESLint's stylish format, coloured when stdout is a terminal).
const REPORT = `
/tmp/pkg/dist/lib/store/postgres.js
  4:14  error  Require of 'pg' is not allowed. n8n Cloud does not allow community nodes with dependencies  @n8n/community-nodes/no-restricted-imports

\u001b[4m/tmp/pkg/dist/credentials/ProdigyServerApi.credentials.d.ts\u001b[24m
  1:2  \u001b[31merror\u001b[39m  Rename file to ProdigyServerApi.credentials.ts [non-autofixable]  \u001b[2mn8n-nodes-base/cred-filename-against-convention\u001b[22m
  3:1  warning  Something minor  some/rule

✖ 3 problems (2 errors, 1 warning)
`;

describe('scan report', () => {
	it('reads every error with its file relative to the scanned folder, and skips warnings', () => {
		expect(scan.parseReport(REPORT, '/tmp/pkg')).toEqual([
			{
				file: 'dist/lib/store/postgres.js',
				line: 4,
				rule: '@n8n/community-nodes/no-restricted-imports',
				message: "Require of 'pg' is not allowed. n8n Cloud does not allow community nodes with dependencies",
			},
			{
				file: 'dist/credentials/ProdigyServerApi.credentials.d.ts',
				line: 1,
				rule: 'n8n-nodes-base/cred-filename-against-convention',
				message: 'Rename file to ProdigyServerApi.credentials.ts [non-autofixable]',
			},
		]);
	});

	it('refuses a report whose errors it cannot all read', () => {
		expect(() => scan.parseReport(REPORT.replace('2 errors', '3 errors'), '/tmp/pkg')).toThrow(/read 2 errors/);
	});

	it('passes explained findings and names new and vanished ones', () => {
		const findings = scan.parseReport(REPORT, '/tmp/pkg');
		const { unexpected, stale } = scan.compare('tarball', findings);
		expect(unexpected.map((finding) => finding.file)).toEqual(['dist/credentials/ProdigyServerApi.credentials.d.ts']);
		// Every other tarball entry of KNOWN is missing from this report.
		const staleFiles = stale.map((entry) => entry.file);
		expect(staleFiles).toContain('dist/lib/store/mysql.js');
		expect(staleFiles).toContain('dist/lib/store/postgres.d.ts');
		// The one reported finding satisfied its own entry.
		expect(staleFiles).not.toContain('dist/lib/store/postgres.js');
	});

	it('does not let a known file and rule excuse a new import', () => {
		const finding = {
			file: 'dist/lib/store/postgres.js',
			line: 5,
			rule: '@n8n/community-nodes/no-restricted-imports',
			message: "Require of 'node:child_process' is not allowed.",
		};
		expect(scan.compare('tarball', [finding]).unexpected).toEqual([finding]);
	});
});
