export * from './data-source';
export * from './database-errors';
export * from './migrate';
export * from './embedded-postgres';
export * from './database.bootstrap';
export * from './demo-tenants';
