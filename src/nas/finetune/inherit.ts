/**
 * Weight inheritance: the derived network starts from the supernet's weights instead of from scratch
 * (one-shot NAS). The supernet names a candidate block `body/${i}/${candidate}` and createModel names the
 * block at the same position `body/${i}`; fixed blocks and the head have the same names in both. So each
 * parameter of the plain model maps to exactly one supernet parameter, and the copy is exact: the plain
 * model computes what the supernet computes with a one-hot choice at every searchable layer.
 */
import * as tf from '@tensorflow/tfjs';
import { isSearchLayer } from '../arch/spec.ts';
import { createModel, type NasModel } from '../model/model.ts';
import type { Supernet } from '../search/supernet.ts';
import { archFromChoices } from '../spaces/derive.ts';

/** The supernet parameter name that feeds `name` of the plain model built from `choices`. */
export function supernetParamName(supernet: Supernet, choices: number[], name: string): string {
  const m = /^body\/(\d+)(\/.*)?$/.exec(name);
  if (!m) return name; // head parameters
  const i = Number(m[1]);
  const layer = supernet.space.body[i];
  if (!layer || !isSearchLayer(layer)) return name;
  const l = supernet.mixed.findIndex((x) => x.bodyIndex === i);
  const candidate = supernet.mixed[l].candidates[choices[l]];
  if (candidate === undefined) throw new Error(`inheritWeights: no candidate ${choices[l]} at layer ${i}`);
  return `body/${i}/${candidate}${m[2] ?? ''}`;
}

/**
 * A plain model of the architecture `choices` selects (choices[l] indexes the candidates of the l-th
 * searchable layer), with every weight, BatchNorm statistic and head parameter copied from `supernet`.
 * The returned model owns its own variables (later supernet training does not change it).
 */
export function inheritWeights(supernet: Supernet, choices: number[], name = 'derived'): NasModel {
  const arch = archFromChoices(supernet.space, choices, name);
  const source = new Map(supernet.weightParams().map((p) => [p.name, p.variable]));
  const model = createModel(arch, { seed: 0 });
  try {
    const pairs = model.params().map((p) => {
      const from = supernetParamName(supernet, choices, p.name);
      const v = source.get(from);
      if (!v) throw new Error(`inheritWeights: the supernet has no parameter "${from}" for "${p.name}"`);
      if (v.shape.length !== p.variable.shape.length || v.shape.some((d, k) => d !== p.variable.shape[k])) {
        throw new Error(`inheritWeights: "${from}" is [${v.shape}], "${p.name}" needs [${p.variable.shape}]`);
      }
      return { to: p.variable, from: v };
    });
    // clone: the model must not share buffers with supernet variables
    for (const { to, from } of pairs) tf.tidy(() => to.assign(tf.clone(from)));
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}
