export { auditAppendDuration, httpRequestDuration, ingestRows, ingestRowsPerSecond, jobDuration, recordIngest, secondsSince } from './metrics';
