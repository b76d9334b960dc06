import { z } from 'zod';

// Fields several strategies' configurations share.

export const redisUrl = z
  .string('must be text')
  .regex(/^redis:\/\/\S{1,500}$/, 'must be a redis:// URL, e.g. "redis://127.0.0.1:6379"');

export const hostPort = z
  .string('must be "host:port"')
  .regex(/^[^\s:/]{1,253}:\d{1,5}$/, 'must be "host:port", e.g. "127.0.0.1:5701"');
