export { JOBS, JOB_NAMES, QUEUES, isJobName } from './jobs';
export type { JobName, JobPayload, JobPayloads, JobDefinition, QueueName } from './jobs';
export { JobHandler } from './job-handler.decorator';
export type { Handler, JobContext } from './job-handler.decorator';
export { InvalidJobPayload } from './job-payload';
export { JobsModule } from './jobs.module';
export { OutboxService } from './outbox.service';
export { UnitOfWork } from './unit-of-work';
export { RedisProbe } from './redis-probe';
