// The one place that picks a load model by name.
import type { LoadConfig } from '../types.ts';
import { closedModel } from './closed.ts';
import type { LoadModel } from './model.ts';
import { openModel } from './open.ts';

const MODELS: Record<LoadConfig['model'], LoadModel> = { open: openModel, closed: closedModel };

export function modelFor(name: LoadConfig['model']): LoadModel {
  return MODELS[name];
}
