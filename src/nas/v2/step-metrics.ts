/**
 * StepMetrics.v2: what an FBNetV2 step did to every width and resolution search, decoded from the step
 * record's extras (see v2-net.ts relax / stepCost), plus feature thumbnails every `featureEvery` steps.
 */
import { softmaxArray } from '../search/gumbel.ts';
import type { StepContext } from '../search/search-net.ts';
import type { V2StepMetrics } from '../search/trainer-state.ts';
import { featureSummary } from './feature-summary.ts';
import type { MaskedSupernet } from './masked-supernet.ts';
import type { V2Sample } from './v2-sample.ts';

export async function stepMetricsV2(
  net: MaskedSupernet,
  ctx: StepContext,
  inputSize: number,
): Promise<V2StepMetrics> {
  const sample = ctx.sample as V2Sample;
  const { extras } = ctx;
  let w = 0;
  const widthWeights = net.layers.map((l) => (l.widthSearch ? extras.widths[w++] : [1]));
  const resolutionWeights = net.resolution ? extras.resolution[0] : null;
  const [effectiveMacs, effectiveParams] = extras.effective[0];
  // logits after the step (an arch step moved them)
  const after = net.layers.map((l) => (l.widthSearch ? Array.from(ctx.arch(l.widthSearch.logits)) : null));
  const widthOptions = net.layers.map((l) => l.widthSearch?.options ?? [l.outMax]);
  const widthProbs = after.map((l) => (l ? softmaxArray(l) : [1]));
  const masks = widthOptions.map((opts, l) => {
    const max = opts[opts.length - 1];
    // M_c = Σ_i g_i · [c < w_i]: the mask the forward applied (channel-mask.ts channelMask)
    return Array.from({ length: max }, (_, c) =>
      opts.reduce((m, wi, i) => (c < wi ? m + widthWeights[l][i] : m), 0),
    );
  });
  const resolutionLogits = net.resolution ? Array.from(ctx.arch(net.resolution.logits)) : null;
  const metrics: V2StepMetrics = {
    widthOptions,
    widthProbs,
    widthWeights,
    sampledWidths: widthOptions.map((opts, l) => opts[sample.widths[l] ?? opts.length - 1]),
    masks,
    expectedWidths: widthOptions.map((opts, l) => opts.reduce((e, wi, i) => e + wi * widthWeights[l][i], 0)),
    effectiveMacs,
    effectiveParams,
  };
  if (net.resolution && resolutionWeights && resolutionLogits) {
    const factors = net.resolution.options;
    metrics.resolutionFactors = [...factors];
    metrics.resolutionProbs = softmaxArray(resolutionLogits);
    metrics.resolutionWeights = resolutionWeights;
    metrics.sampledResolution = Math.ceil(inputSize / factors[sample.resolution ?? 0]);
  }
  const every = ctx.options.featureEvery ?? 10;
  if (every > 0 && ctx.step % every === 0) metrics.features = await featureSummary(net, ctx.source);
  return metrics;
}
