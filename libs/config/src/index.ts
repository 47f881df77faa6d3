export { AppConfig, DB_ROLES } from './app-config';
export type { DatabaseRole } from './app-config';
export { ConfigModule } from './config.module';
export { Environment, SECRET_VARIABLES, environmentVariableNames, parseEnvironment, productionProblems } from './environment';
