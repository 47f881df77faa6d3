import { Injectable, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { AppConfig } from '@cadre/config';
import { JobHandlersInvalid, resolveHandlers } from './handler-registry';
import { JobHandler, type Handler } from './job-handler.decorator';
import { JobQueues } from './job-queues';
import { JobRunner } from './job-runner';
import { JobsWorkerHost } from './jobs-worker.host';
import { OutboxSweeper } from './outbox-sweeper';
import { JOBS, JobName } from './jobs';

@JobHandler('audit-checkpoint')
@Injectable()
class SecondCheckpointHandler implements Handler<'audit-checkpoint'> {
  async handle() {}
}

/** The worker's boot, with its infrastructure stubbed: only handler discovery is exercised. */
async function bootWorker(handlers: (new (...args: never[]) => unknown)[]) {
  @Module({ providers: handlers })
  class Handlers {}
  const moduleRef = await Test.createTestingModule({
    imports: [DiscoveryModule, Handlers],
    providers: [
      JobsWorkerHost,
      JobRunner,
      { provide: DataSource, useValue: {} },
      { provide: JobQueues, useValue: {} },
      { provide: OutboxSweeper, useValue: {} },
      { provide: AppConfig, useValue: AppConfig.fromEnv({}) },
    ],
  }).compile();
  // Runs onModuleInit (discovery + assertion) without starting BullMQ workers.
  await moduleRef.get(JobsWorkerHost).onModuleInit();
  return moduleRef.get(JobRunner);
}

const required = Object.entries(JOBS).filter(([, d]) => d.handler === 'required').map(([n]) => n as JobName);

/** A trivial handler class for a job (other engineers' required jobs get one too, so this spec keeps passing as they land). */
function handlerFor(name: JobName) {
  @JobHandler(name)
  @Injectable()
  class Generated {
    async handle() {}
  }
  return Generated;
}
const allRequiredBut = (...except: JobName[]) => required.filter((n) => !except.includes(n)).map(handlerFor);

describe('the worker boot assertion', () => {
  it('declares the infrastructure sweeps as requiring a handler', () => {
    expect(required).toEqual(expect.arrayContaining(['outbox-sweep', 'audit-checkpoint']));
  });

  it('refuses to boot when a job declared as required has no handler', async () => {
    await expect(bootWorker(allRequiredBut('audit-checkpoint'))).rejects.toThrow(JobHandlersInvalid);
    await expect(bootWorker(allRequiredBut('audit-checkpoint'))).rejects.toThrow(/'audit-checkpoint' is declared as requiring a handler and has none/);
  });

  it('refuses to boot when a job has two handlers', async () => {
    await expect(bootWorker([...allRequiredBut(), SecondCheckpointHandler])).rejects.toThrow(/'audit-checkpoint' has 2 handlers/);
  });

  it('refuses to boot through Nest init too (the process fails to start)', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [DiscoveryModule],
      providers: [JobsWorkerHost, JobRunner, { provide: DataSource, useValue: {} }, { provide: JobQueues, useValue: {} }, { provide: OutboxSweeper, useValue: {} }, { provide: AppConfig, useValue: AppConfig.fromEnv({}) }],
    }).compile();
    await expect(moduleRef.init()).rejects.toThrow(JobHandlersInvalid);
  });

  it('boots when every required job has exactly one handler, and only dispatches to discovered ones', async () => {
    const runner = await bootWorker(allRequiredBut());
    expect(runner.handles('outbox-sweep')).toBe(true);
    expect(runner.handles('audit-checkpoint')).toBe(true);
    expect(runner.handles('ping')).toBe(false);
  });

  it('lets a job still pending its owner boot without a handler, but not a handler of an undeclared job', () => {
    const jobs = { a: { handler: 'required' as const }, b: { handler: 'pending' as const } };
    const handler = { handle: async () => undefined };
    expect(resolveHandlers([{ jobName: 'a', owner: 'A', instance: handler }], jobs).size).toBe(1);
    expect(() => resolveHandlers([{ jobName: 'a', owner: 'A', instance: handler }, { jobName: 'zz', owner: 'Z', instance: handler }], jobs)).toThrow(
      /Z handles 'zz', which is not declared/,
    );
    expect(() => resolveHandlers([{ jobName: 'a', owner: 'A', instance: {} }], jobs)).toThrow(/A has no handle\(\) method/);
  });
});
