import { DomainError, NotFound, PolicyViolation } from '@cadre/common';
import type { SchemaProblem } from './column-schema';

/** The column list breaks a rule of the catalogue (422). */
export class InvalidDatasetSchema extends PolicyViolation {
  constructor(problems: SchemaProblem[]) {
    super('invalid_dataset_schema', 'The column declaration breaks a catalogue rule', problems);
  }
}

/** The organisation already has a dataset by this name (409). */
export class DatasetNameTaken extends DomainError {
  readonly code = 'dataset_name_taken';
  constructor() {
    super('The organisation already has a dataset with this name');
  }
}

export class DatasetNotFound extends NotFound {
  constructor() {
    super('Dataset');
  }
}

export class UploadNotFound extends NotFound {
  constructor() {
    super('Upload');
  }
}
