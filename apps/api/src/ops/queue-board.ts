import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule, InjectBullBoard, type BullBoardInstance } from '@bull-board/nestjs';
import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { toProblem } from '@cadre/common';
import { JobQueues, JobsModule, QUEUES } from '@cadre/jobs';
import { OperatorGate } from './operator-gate';

export const QUEUE_BOARD_ROUTE = '/admin/queues';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Express middleware in front of Bull Board: platform admins only, problem+json otherwise. */
export function operatorsOnly(gate: OperatorGate) {
  return (req: Request, res: Response, next: NextFunction) => {
    gate.assert(req).then(
      () => next(),
      (err: unknown) => {
        const body = toProblem(err);
        res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
      },
    );
  };
}

/** What the board may show of a job's data and return value: ids and outcome words, never a value. */
export function idsOnly(data: unknown): Record<string, string> {
  if (!data || typeof data !== 'object') return {};
  return Object.fromEntries(Object.entries(data as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string' && UUID.test(e[1])));
}
export function outcomeOnly(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object') return {};
  const { outcome, code } = value as { outcome?: unknown; code?: unknown };
  return { ...(typeof outcome === 'string' ? { outcome } : {}), ...(typeof code === 'string' ? { code } : {}) };
}

@Injectable()
class QueueBoardQueues implements OnModuleInit {
  constructor(
    @InjectBullBoard() private readonly board: BullBoardInstance,
    private readonly queues: JobQueues,
  ) {}

  onModuleInit(): void {
    for (const name of Object.values(QUEUES)) {
      const adapter = new BullMQAdapter(this.queues.queue(name), { readOnlyMode: true, allowRetries: false });
      adapter.setFormatter('data', idsOnly);
      adapter.setFormatter('returnValue', outcomeOnly);
      this.board.addQueue(adapter);
    }
  }
}

@Module({ providers: [OperatorGate], exports: [OperatorGate] })
export class OperatorGateModule {}

/**
 * Bull Board at /admin/queues, read-only, for platform admins: queues, job ids, states,
 * attempts and timings. Job data is reduced to its ids (payloads hold ids only anyway).
 */
@Module({
  imports: [
    JobsModule,
    BullBoardModule.forRootAsync({
      imports: [OperatorGateModule],
      inject: [OperatorGate],
      useFactory: (gate: OperatorGate) => ({
        route: QUEUE_BOARD_ROUTE,
        adapter: ExpressAdapter,
        middleware: operatorsOnly(gate),
        boardOptions: { uiConfig: { boardTitle: 'Cadre queues' } },
      }),
    }),
  ],
  providers: [QueueBoardQueues],
})
export class QueueBoardModule {}

