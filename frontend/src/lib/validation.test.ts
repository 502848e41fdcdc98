import { describe, expect, it } from 'vitest';

import { loginSchema } from './validation';

function messages(input: unknown): Record<string, string[]> {
  const result = loginSchema.safeParse(input);
  if (result.success) return {};
  const out: Record<string, string[]> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.join('.');
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

describe('loginSchema', () => {
  it('accepts an email and password, trimming the email', () => {
    expect(loginSchema.parse({ email: '  advisor@example.com ', password: 'advisor123' })).toEqual({
      email: 'advisor@example.com',
      password: 'advisor123',
    });
  });

  it('requires both fields', () => {
    expect(messages({ email: '', password: '' })).toEqual({
      email: ['Email is required'],
      password: ['Password is required'],
    });
    expect(messages({ email: '   ', password: 'x' })).toEqual({ email: ['Email is required'] });
  });

  it('rejects something that is not an email', () => {
    expect(messages({ email: 'advisor', password: 'x' })).toEqual({
      email: ['Enter a valid email address'],
    });
    expect(messages({ email: 'a b@example.com', password: 'x' }).email).toBeDefined();
  });

  it('leaves the password as typed (spaces are significant)', () => {
    expect(loginSchema.parse({ email: 'a@b', password: ' pw ' }).password).toBe(' pw ');
  });

  it('rejects missing fields', () => {
    expect(loginSchema.safeParse({}).success).toBe(false);
  });
});
