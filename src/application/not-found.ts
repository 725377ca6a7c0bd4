import { notFound } from '../domain/shared/errors.js';

export const userNotFound = (id: number) => notFound(`User with id ${id} not found`);
