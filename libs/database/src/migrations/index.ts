import { Foundation1764460000000 } from './1764460000000-foundation';
import { Organisations1764460001000 } from './1764460001000-organisations';
import { NoTemporaryTables1764460001500 } from './1764460001500-no-temporary-tables';
import { Identity1764460002000 } from './1764460002000-identity';
import { Audit1764460003000 } from './1764460003000-audit';
import { Outbox1764460004000 } from './1764460004000-outbox';
import { Members1764460005000 } from './1764460005000-members';
import { Ethics1764460005100 } from './1764460005100-ethics';
import { Contracts1764460005500 } from './1764460005500-contracts';
import { Datasets1764460006000 } from './1764460006000-datasets';
import { KeyUniqueness1764460006500 } from './1764460006500-key-uniqueness';
import { Computations1764460007000 } from './1764460007000-computations';
import { PopulationKey1764460007100 } from './1764460007100-population-key';
import { TrustHardening1764470200000 } from './1764470200000-trust-hardening';
import { ComputationLease1764470300000 } from './1764470300000-computation-lease';
import { VersionQuality1764470600000 } from './1764470600000-version-quality';
import { DatasetLevel1764470700000 } from './1764470700000-dataset-level';
import { ComputationUsageIndex1764480400000 } from './1764480400000-computation-usage-index';
import { AuditPending1764480401000 } from './1764480401000-audit-pending';
import { UseCaseUsage1764480402000 } from './1764480402000-use-case-usage';
import { DropPopulationIndex1764480403000 } from './1764480403000-drop-population-index';

/**
 * Every migration, in order. Each context adds its own file and one line here
 * (timestamps: identity 1764460002xxx, audit 1764460003xxx, jobs 1764460004xxx,
 * members/ethics/contracts 1764460005xxx, datasets 1764460006xxx, computations 1764460007xxx).
 */
export const MIGRATIONS = [
  Foundation1764460000000,
  Organisations1764460001000,
  NoTemporaryTables1764460001500,
  Identity1764460002000,
  Audit1764460003000,
  Outbox1764460004000,
  Members1764460005000,
  Ethics1764460005100,
  Contracts1764460005500,
  Datasets1764460006000,
  KeyUniqueness1764460006500,
  Computations1764460007000,
  PopulationKey1764460007100,
  TrustHardening1764470200000,
  ComputationLease1764470300000,
  VersionQuality1764470600000,
  DatasetLevel1764470700000,
  ComputationUsageIndex1764480400000,
  AuditPending1764480401000,
  UseCaseUsage1764480402000,
  DropPopulationIndex1764480403000,
];
