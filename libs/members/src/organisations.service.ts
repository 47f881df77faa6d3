import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { NotFound } from '@cadre/common';
import { Organisation } from './organisation.entity';

/** Organisations of the platform (members in five colleges, plus the operator). */
@Injectable()
export class OrganisationsService {
  constructor(@InjectRepository(Organisation) private readonly organisations: Repository<Organisation>) {}

  /** Creates an organisation inside the caller's transaction. */
  async create(em: EntityManager, input: Pick<Organisation, 'name' | 'college'> & Partial<Pick<Organisation, 'siren' | 'isOperator'>>): Promise<Organisation> {
    return em.getRepository(Organisation).save(em.getRepository(Organisation).create({ siren: null, isOperator: false, ...input }));
  }

  async findById(id: string): Promise<Organisation> {
    const found = await this.organisations.findOneBy({ id });
    if (!found) throw new NotFound('Organisation');
    return found;
  }

  async findOperator(em: EntityManager = this.organisations.manager): Promise<Organisation | null> {
    return em.getRepository(Organisation).findOneBy({ isOperator: true });
  }
}
