/**
 * The worker's entry to validation (src/nas/search/validate.ts). `validateArgmax` also takes the
 * deprecated `trainer.supernet` handle that worker/results-session.ts passes until it is ported to
 * `trainer.net`: both V1's net and FBNetV2's legacy view predict through SearchNet.argmaxPredictor.
 */
import type { BatchSource } from '../nas/data/source.ts';
import type { SearchNet } from '../nas/search/search-net.ts';
import type { Supernet } from '../nas/search/supernet.ts';
import { validateArgmax as validateNet } from '../nas/search/validate.ts';

export { meanShapeNme } from '../nas/search/validate.ts';

type Validatable = Pick<SearchNet, 'argmaxPredictor'>;

function validatable(net: object): net is Validatable {
  return typeof (net as Partial<Validatable>).argmaxPredictor === 'function';
}

export function validateArgmax(
  net: Validatable | Supernet,
  source: BatchSource,
  batch: number,
): Promise<{ nme: number | null; n: number }> {
  if (!validatable(net)) throw new Error('validateArgmax needs a search network (SearchTrainer.net)');
  return validateNet(net, source, batch);
}
