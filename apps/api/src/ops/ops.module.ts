import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { JobsModule } from '@cadre/jobs';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { MetricsController } from './metrics.controller';
import { OpsMetricsCollector } from './ops-metrics.collector';
import { OperatorGateModule, QueueBoardModule } from './queue-board';

/** The operator's HTTP surfaces: GET /metrics (Prometheus) and /admin/queues (Bull Board). */
@Module({
  imports: [
    // Default process metrics are registered once by OpsMetricsCollector (a second app in one process would clash).
    PrometheusModule.registerAsync({
      imports: [OperatorGateModule],
      controller: MetricsController,
      useFactory: () => ({ controller: MetricsController, defaultMetrics: { enabled: false } }),
    }),
    OperatorGateModule,
    QueueBoardModule,
    JobsModule,
  ],
  providers: [OpsMetricsCollector],
})
export class OpsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('{*path}');
  }
}
