import { Injectable } from '@nestjs/common';

/** Where commands write their answer, and how they report failure (tests replace it). */
@Injectable()
export class CliOutput {
  write(text: string): void {
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  error(text: string): void {
    process.stderr.write(`${text}\n`);
  }

  /** The process's exit code (1: the check failed or the command could not do its job). */
  fail(code = 1): void {
    process.exitCode = code;
  }
}
