/**
 * Summarises 1,000 Trivy Operator VulnerabilityReports of 300 findings each (built
 * from the upstream fixture's shape): matching to workloads, turning into findings,
 * de-duplication across containers and the severity / fixable summary.
 * Reports time and peak RSS.
 */
import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';
import { sightingsFromReports } from '../plugins/gitops-backend/src/findings/trivy';
import {
  distinctVulnerabilities,
  summarizeVulnerabilities,
} from '../plugins/gitops-backend/src/findings/vulnerabilities';

const REPORTS = 1000;
const FINDINGS = 300;
const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];

const fixture = parse(
  fs.readFileSync(path.resolve(__dirname, '../fixtures/upstream/trivy-operator-vulnerabilityreport.yaml'), 'utf8'),
);
const template = fixture.report.vulnerabilities[0];

function report(index: number) {
  const copy = structuredClone(fixture);
  copy.metadata.name = `replicaset-svc-${index}-abc-app`;
  copy.report.vulnerabilities = Array.from({ length: FINDINGS }, (_, i) => ({
    ...template,
    // Half the ids repeat across reports, as the same base image does across services.
    vulnerabilityID: `CVE-2026-${i % 2 ? index * FINDINGS + i : i}`,
    severity: SEVERITIES[i % SEVERITIES.length],
    fixedVersion: i % 3 ? `1.${i}.1` : '',
  }));
  return copy;
}

function main() {
  const reports = Array.from({ length: REPORTS }, (_, i) => report(i));
  const workload = { namespace: 'ns', kind: 'Rollout' as const, name: 'svc', images: [] };
  const started = process.hrtime.bigint();
  const findings = sightingsFromReports(workload, reports);
  const unique = distinctVulnerabilities(findings);
  const summary = summarizeVulnerabilities(unique);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const results = {
    benchmark: 'findings-summary',
    date: new Date().toISOString(),
    node: process.version,
    reports: REPORTS,
    findingsPerReport: FINDINGS,
    findings: findings.length,
    uniqueFindings: unique.length,
    summary,
    timeMs: Math.round(ms),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  fs.writeFileSync(path.join(__dirname, 'results/findings-summary.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
}

main();
