import { describe, expect, test } from 'vitest';
import * as nas from './index.ts';

describe('public engine API', () => {
  test('exposes the names the issues promise', () => {
    for (const name of [
      'countCost',
      'ARCHS',
      'createModel',
      'exportOnnx',
      'SPACES',
      'SearchTrainer',
      'generateDataset',
    ]) {
      expect(nas, name).toHaveProperty(name);
    }
    for (const arch of ['fbnet_a', 'fbnet_b', 'fbnet_c', 'mobilenet_v2', 'pfld_106'])
      expect(nas.ARCHS).toHaveProperty(arch);
  });

  test('countCost returns macs and params for a registry architecture', () => {
    const cost = nas.countCost(nas.ARCHS.mobilenet_v2);
    expect(cost.macs).toBeGreaterThan(2.9e8);
    expect(cost.params).toBeGreaterThan(3.4e6);
  });
});
