import { describe, expect, it } from 'vitest';
import { readmeSection } from '../src/readme.js';

describe('readmeSection', () => {
  it('drops the title, demotes headings and points the chart at results/', () => {
    const report = '# Benchmark\n\nline\n\n![chart](latest.svg)\n\n## Load balancers\n\n| a |';
    expect(readmeSection(report)).toBe('line\n\n![chart](results/latest.svg)\n\n### Load balancers\n\n| a |');
  });
});
