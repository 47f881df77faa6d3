export { PlatformModule } from './platform.module';
export { REDACTED_PATHS } from './logging';
