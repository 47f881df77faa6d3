import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { DEFAULT_MAX_JSON_DEPTH, ProblemFilter, createValidationPipe, requestBodyGate } from '@cadre/common';
import { AppConfig } from '@cadre/config';

/** Everything main.ts and the e2e tests both apply to the HTTP app, so tests run what ships. */
export function configureApp(app: INestApplication): INestApplication {
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemFilter());
  app.enableShutdownHooks();
  const http = app.getHttpAdapter().getInstance();
  // Before Nest's own parsers (installed at init): size, media type, depth and NUL checks, as problem+json.
  const config = app.get(AppConfig, { strict: false });
  for (const gate of requestBodyGate({ maxBytes: config.bodyLimitBytes, maxDepth: DEFAULT_MAX_JSON_DEPTH })) http.use(gate);
  http.disable('x-powered-by');
  http.set('trust proxy', 'loopback');
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Cadre API')
      .setDescription('Trusted third party for multi-organisation data use: only aggregated, disclosure-checked results leave the platform.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
