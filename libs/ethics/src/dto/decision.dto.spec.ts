import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ConditionsDto } from './decision.dto';

const problems = (conditions: object) => validateSync(plainToInstance(ConditionsDto, conditions), { whitelist: true, forbidNonWhitelisted: true });

/** The contracts PATCH (terms.disclosure.perturbation) allows maxDeviation 2–20 (integer), variance 1–399. */
describe('ConditionsDto.perturbation: the bounds of the contracts PATCH', () => {
  const cases: [object, boolean][] = [
    [{ maxDeviation: 2 }, true],
    [{ maxDeviation: 20, variance: 399 }, true],
    [{ variance: 1 }, true],
    [{}, true],
    [{ maxDeviation: 1 }, false],
    [{ maxDeviation: 21 }, false],
    [{ maxDeviation: 2.5 }, false],
    [{ variance: 0.5 }, false],
    [{ variance: 400 }, false],
    [{ variance: 'large' }, false],
    [{ maxDeviation: 3, extra: 1 }, false],
  ];
  it.each(cases)('%j: valid %s, as for a contract', (perturbation, valid) => {
    expect(problems({ perturbation }).length === 0).toBe(valid);
  });

  it('refuses a perturbation that is not an object', () => {
    expect(problems({ perturbation: 3 }).length).toBeGreaterThan(0);
    expect(problems({ perturbation: [2] }).length).toBeGreaterThan(0);
  });
});
