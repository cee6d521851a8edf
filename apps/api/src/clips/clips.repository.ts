import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThanOrEqual, Repository } from 'typeorm';
import { Clip, type NewClip } from './clip.entity';

@Injectable()
export class ClipsRepository {
  constructor(@InjectRepository(Clip) private readonly repo: Repository<Clip>) {}

  async insertClip(clip: NewClip): Promise<void> {
    await this.repo.insert(clip);
  }

  /**
   * By id alone: the caller holds a URL we signed for this id, which is what grants access, so
   * there is no tenant to scope by.
   */
  findClip(id: string): Promise<Clip | null> {
    return this.repo.findOneBy({ id });
  }

  /** The oldest clips whose time is up, at most `limit`. */
  findExpiredClips(now: Date, limit: number): Promise<Clip[]> {
    return this.repo.find({
      where: { expiresAt: LessThanOrEqual(now) },
      order: { expiresAt: 'ASC' },
      take: limit,
    });
  }

  async deleteClips(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.repo.delete({ id: In(ids) });
  }
}
