import { describe, expect, it } from 'vitest';

import { loginPath, safeNextPath } from './redirect';

describe('safeNextPath', () => {
  it.each([
    [null, '/'],
    ['', '/'],
    ['/exit/123?x=1', '/exit/123?x=1'],
    ['/clients', '/clients'],
    ['https://evil.example', '/'],
    ['//evil.example', '/'],
    ['/\\evil.example', '/'],
    ['/login', '/'],
    ['/login?next=/x', '/'],
  ])('%j -> %j', (input, expected) => {
    expect(safeNextPath(input)).toBe(expected);
  });
});

describe('loginPath', () => {
  it('omits next for the dashboard', () => {
    expect(loginPath('/')).toBe('/login');
  });
  it('carries a deep link', () => {
    expect(loginPath('/exit/42?qty=1')).toBe('/login?next=%2Fexit%2F42%3Fqty%3D1');
  });
});
