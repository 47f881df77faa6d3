export { ContractsModule } from './contracts.module';
export { ContractsHttpModule } from './contracts-http.module';
export { ContractsWorkerModule } from './contracts-worker.module';
export { ContractsService } from './contracts.service';
export type { UseCaseContract } from './contracts.service';
export { PLATFORM_DISCLOSURE_DEFAULTS, CONTRACT_STATUSES, PRIVACY_MECHANISMS, RELEASE_MODES } from './contract-terms';
export type { ContractTerms, ContractStatus, PrivacyMechanism, ReleaseMode } from './contract-terms';
export { termsSha256 } from './contract.views';
