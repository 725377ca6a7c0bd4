import { notFound } from '../domain/shared/errors.js';

export const userNotFound = (id: number) => notFound(`User with id ${id} not found`);
export const orderNotFound = (id: number) => notFound(`Order with id ${id} not found`);
