import { z } from 'zod';

/**
 * Login form. The email check is deliberately loose (something@something): the server
 * is the authority on which accounts exist, and it says so with "Invalid email or password".
 */
export const loginSchema = z.object({
  email: z
    .string()
    .trim()
    .min(1, { error: 'Email is required', abort: true })
    .regex(/^[^\s@]+@[^\s@]+$/, 'Enter a valid email address'),
  password: z.string().min(1, 'Password is required'),
});

export type LoginValues = z.infer<typeof loginSchema>;
