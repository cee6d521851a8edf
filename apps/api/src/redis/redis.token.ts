/** One Redis connection per process when REDIS_URL is set, else null (single-replica mode). */
export const REDIS = Symbol('REDIS');
